// One Orleans silo: a container app with exactly one replica on the GPU workload profile. Container
// Apps has no per-replica address, so each silo is its own app, advertising the environment's static
// IP with a port pair no other app in the environment exposes (orleans-notes §8); it listens on the
// same two numbers. More capacity is more silo apps, never more replicas of one.

param name string
param location string
param tags object

@description('Whether this app carries the azd service tag: azd deploys a service to exactly one resource.')
param isAzdTarget bool

param environmentId string
param workloadProfileName string

@description('The silo image; empty until azd has pushed one (the first provision): the app is then a placeholder without replicas, ports or probes.')
param image string

param registryServer string
param identityId string

@description('Settings every app of the cluster shares (main.bicep).')
param sharedEnv array

param advertisedIp string

@minValue(1024)
@maxValue(65535)
param siloPort int

@minValue(1024)
@maxValue(65535)
param gatewayPort int

@description('OLLM_GPUS: what the GPU profile gives one replica, so that placement plans for it.')
param gpus string

param cpu string
param memory string
param modelsStorageName string
param shutdownGraceSeconds int
param terminationGracePeriodSeconds int

@description('The custom start/stop/read role\'s name (identity.bicep), assigned on this app only.')
param siloOperatorRoleName string

@description('The runtime identity\'s principal (it runs the autoscaler).')
param operatorPrincipalId string

var deployed = !empty(image)
var placeholderImage = 'mcr.microsoft.com/azuredocs/containerapps-helloworld:latest'
var httpPort = 8080

var env = concat(sharedEnv, [
  {
    name: 'OLLM_ROLE'
    value: 'silo'
  }
  {
    name: 'OLLM_ADVERTISED_IP'
    value: advertisedIp
  }
  {
    name: 'OLLM_SILO_PORT'
    value: string(siloPort)
  }
  {
    name: 'OLLM_GATEWAY_PORT'
    value: string(gatewayPort)
  }
  {
    name: 'OLLM_GPUS'
    value: gpus
  }
  {
    name: 'OLLM_RUNNER'
    value: 'llama'
  }
  {
    name: 'OLLM_SHUTDOWN_GRACE'
    value: '${shutdownGraceSeconds}s'
  }
])

// TCP ingress on the two Orleans ports, exposed under the same numbers. "external" in an internal
// environment means reachable from its virtual network, never from the internet (as in Orleans'
// Container Apps sample).
var ingress = {
  external: true
  transport: 'tcp'
  targetPort: siloPort
  exposedPort: siloPort
  additionalPortMappings: [
    {
      external: true
      targetPort: gatewayPort
      exposedPort: gatewayPort
    }
  ]
}

// Readiness also decides whether Container Apps routes the silo's TCP ports to the replica.
var probes = [
  {
    type: 'Startup'
    httpGet: {
      path: '/healthz'
      port: httpPort
    }
    initialDelaySeconds: 5
    periodSeconds: 5
    timeoutSeconds: 3
    failureThreshold: 10
  }
  {
    type: 'Readiness'
    httpGet: {
      path: '/readyz'
      port: httpPort
    }
    periodSeconds: 5
    timeoutSeconds: 3
    failureThreshold: 3
  }
  {
    type: 'Liveness'
    httpGet: {
      path: '/healthz'
      port: httpPort
    }
    periodSeconds: 10
    timeoutSeconds: 3
    failureThreshold: 3
  }
]

resource silo 'Microsoft.App/containerApps@2026-01-01' = {
  name: name
  location: location
  tags: isAzdTarget ? union(tags, { 'azd-service-name': 'silo' }) : tags
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    environmentId: environmentId
    workloadProfileName: workloadProfileName
    configuration: {
      // One revision, one replica; a new version is a new silo app (README "Roll out a new version").
      activeRevisionsMode: 'Single'
      maxInactiveRevisions: 2
      ingress: deployed ? ingress : null
      registries: [
        {
          server: registryServer
          identity: identityId
        }
      ]
    }
    template: {
      terminationGracePeriodSeconds: terminationGracePeriodSeconds
      containers: [
        {
          name: 'silo'
          image: deployed ? image : placeholderImage
          env: env
          probes: deployed ? probes : []
          resources: {
            cpu: json(cpu)
            memory: memory
          }
          volumeMounts: [
            {
              volumeName: 'models'
              mountPath: '/models'
            }
          ]
        }
      ]
      volumes: [
        {
          name: 'models'
          storageType: 'AzureFile'
          storageName: modelsStorageName
        }
      ]
      scale: {
        minReplicas: deployed ? 1 : 0
        maxReplicas: 1
      }
    }
  }
}

resource operator 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(silo.id, siloOperatorRoleName)
  scope: silo
  properties: {
    principalId: operatorPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', siloOperatorRoleName)
  }
}

output name string = silo.name

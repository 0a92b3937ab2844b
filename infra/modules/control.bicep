// The control silo (OLLM_ROLE=control): the HTTP API and an Orleans silo that holds no model, where
// the autoscaler runs (README "Autoscaling"). One replica on the Consumption profile (CPU only); it
// advertises the environment's static IP with a port pair of its own, like a GPU silo, so that the
// other silos reach it. Its identity may read, start and stop the GPU silo apps (the custom role,
// assigned on each of them in silo.bicep), never itself or the front-end.
//
// It is no azd service: it runs the front-end's image (the same server, no CUDA), given by
// provisioning, so `azd deploy frontend` leaves it alone and the next `azd provision` updates it.
// An update is a new revision whose replica briefly overlaps the old one on the same endpoint; the
// newer silo declares the older one dead as it joins (Orleans' membership), and no model is lost
// since it holds none.

param name string
param location string
param tags object
param environmentId string

@description('The front-end image; empty until azd has pushed one (the first provision): the app is then a placeholder without replicas, ports or probes.')
param image string

param registryServer string
param identityId string

@description('Settings every app of the cluster shares (main.bicep).')
param sharedEnv array

@secure()
param apiKey string

param advertisedIp string

@minValue(1024)
@maxValue(65535)
param siloPort int

@minValue(1024)
@maxValue(65535)
param gatewayPort int

@description('The autoscaler\'s settings (OLLM_AUTOSCALER, OLLM_ACA_*, OLLM_HOST_TYPES, …) as name/value pairs.')
param autoscalerEnv array

param modelsStorageName string
param shutdownGraceSeconds int
param terminationGracePeriodSeconds int

var deployed = !empty(image)
var placeholderImage = 'mcr.microsoft.com/azuredocs/containerapps-helloworld:latest'
var httpPort = 8080

var env = concat(
  sharedEnv,
  [
    {
      name: 'OLLM_ROLE'
      value: 'control'
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
      name: 'OLLM_SHUTDOWN_GRACE'
      value: '${shutdownGraceSeconds}s'
    }
    {
      // Its API is not exposed (no HTTP ingress), but it is never left open either.
      name: 'OLLM_API_KEY'
      secretRef: 'ollm-api-key'
    }
  ],
  autoscalerEnv
)

// TCP ingress on the two Orleans ports, as for a GPU silo (silo.bicep).
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

var probes = [
  {
    type: 'Startup'
    httpGet: {
      path: '/healthz'
      port: httpPort
    }
    initialDelaySeconds: 2
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

resource control 'Microsoft.App/containerApps@2026-01-01' = {
  name: name
  location: location
  tags: tags
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    environmentId: environmentId
    workloadProfileName: 'Consumption'
    configuration: {
      activeRevisionsMode: 'Single'
      maxInactiveRevisions: 2
      ingress: deployed ? ingress : null
      secrets: [
        {
          name: 'ollm-api-key'
          value: apiKey
        }
      ]
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
          name: 'control'
          image: deployed ? image : placeholderImage
          env: env
          probes: deployed ? probes : []
          resources: {
            cpu: json('1')
            memory: '2Gi'
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
      // Exactly one: the autoscaler is one grain, and the silo advertises one endpoint.
      scale: {
        minReplicas: deployed ? 1 : 0
        maxReplicas: 1
      }
    }
  }
}

output name string = control.name

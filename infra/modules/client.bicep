// The HTTP front-end (OLLM_ROLE=frontend): Ollama's and OpenAI's API as an Orleans client, on the
// Consumption profile, behind HTTPS ingress. Stateless, so it scales by replicas (at least one: the
// API is always up) and takes azd's in-place image updates safely.

param name string
param location string
param tags object
param environmentId string

@description('The front-end image; empty until azd has pushed one (the first provision): a placeholder then.')
param image string

param registryServer string
param identityId string
param sharedEnv array

@secure()
param apiKey string

@minValue(1)
param minReplicas int

@minValue(1)
param maxReplicas int

@description('Requests in flight per replica before another is added (token streams are long).')
param concurrentRequests int

@description('OLLM_AUTOSCALER: with it on, a request for a model no running silo takes waits for the control app to start one.')
param autoscaler string

param cpu string
param memory string
param modelsStorageName string
param terminationGracePeriodSeconds int

var deployed = !empty(image)
var placeholderImage = 'mcr.microsoft.com/azuredocs/containerapps-helloworld:latest'
var httpPort = 8080

var env = concat(sharedEnv, [
  {
    name: 'OLLM_ROLE'
    value: 'frontend'
  }
  {
    name: 'OLLM_API_KEY'
    secretRef: 'ollm-api-key'
  }
  {
    name: 'OLLM_AUTOSCALER'
    value: autoscaler
  }
])

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

resource frontend 'Microsoft.App/containerApps@2026-01-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'frontend' })
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
      // HTTPS only; the environment is internal, so "external" means its virtual network (README).
      ingress: {
        external: true
        transport: 'auto'
        targetPort: deployed ? httpPort : 80
        allowInsecure: false
      }
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
          name: 'frontend'
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
        minReplicas: minReplicas
        maxReplicas: maxReplicas
        rules: [
          {
            name: 'http-requests'
            http: {
              metadata: {
                concurrentRequests: string(concurrentRequests)
              }
            }
          }
        ]
      }
    }
  }
}

output name string = frontend.name
output fqdn string = frontend.properties.configuration.ingress.fqdn

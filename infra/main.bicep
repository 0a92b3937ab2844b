// OrleansLlm on Azure Container Apps, for `azd up` (README "Deploy to Azure").
//
// One internal, VNet-injected Container Apps environment; the HTTP front-end on the Consumption
// profile; `siloCount` GPU silos, each a one-replica app with its own exposed port pair on the
// environment's static IP, of which `minSilos` run and the rest stand by (stopped) for the
// autoscaler; membership, reminders and model grain state in Azure Tables reached with a managed
// identity; models on an Azure Files share mounted read-only at /models.
//
// The cluster never scales to zero: the front-end is an Orleans client, not a silo, so at least one
// silo always runs (minSilos >= 1) and hosts what must stay up (membership's liveness, reminders).
// A control app (a CPU silo that holds no model) runs the autoscaler, which starts and stops the
// silo apps through Azure Resource Manager with the runtime identity.

targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('The azd environment (AZURE_ENV_NAME): names the resource group and is the Orleans service id.')
param environmentName string

@minLength(1)
@description('The region of every resource; it must offer the GPU profile and your subscription quota for it.')
param location string

@description('The silos\' GPU workload profile: serverless (one GPU per replica, billed per second while running) or dedicated (1, 2 or 4 A100 per node, billed per node).')
@allowed([
  'Consumption-GPU-NC8as-T4'
  'Consumption-GPU-NC24-A100'
  'NC24-A100'
  'NC48-A100'
  'NC96-A100'
])
param gpuProfile string = 'Consumption-GPU-NC8as-T4'

@description('Silo apps created (each with its own port pair); the ones past minSilos stand by, stopped.')
@minValue(1)
@maxValue(50)
param siloCount int = 2

@description('Silos that always run (at least one: the cluster never scales to zero).')
@minValue(1)
@maxValue(50)
param minSilos int = 1

@description('Which set of silo apps (names and port pairs) this deployment declares; raise it to roll out a new silo version beside the running one (README).')
@minValue(0)
@maxValue(9)
param siloGeneration int = 0

@description('OLLM_AUTOSCALER of the control app and the front-end: off, advisory (decisions logged, nothing started or stopped) or on (the control app starts and stops the silo apps).')
@allowed([
  'off'
  'advisory'
  'on'
])
param autoscaler string = 'advisory'

@description('The silo image (azd: SERVICE_SILO_IMAGE_NAME); empty before the first deploy.')
param siloImage string = ''

@description('The front-end image (azd: SERVICE_FRONTEND_IMAGE_NAME); empty before the first deploy.')
param frontendImage string = ''

@secure()
@minLength(16)
@description('The API key clients send as "Authorization: Bearer <key>" (OLLM_API_KEY, a Container Apps secret).')
param apiKey string

@description('Orleans cluster id (OLLM_CLUSTER_ID); the service id is the environment name.')
param clusterId string = 'ollm'

@minValue(1)
@maxValue(30)
param frontendMinReplicas int = 1

@minValue(1)
@maxValue(30)
param frontendMaxReplicas int = 3

@minValue(1)
param frontendConcurrentRequests int = 50

@description('OLLM_SHUTDOWN_GRACE in seconds: how long a stopping silo drains its requests.')
@minValue(5)
@maxValue(540)
param shutdownGraceSeconds int = 25

@description('The container\'s grace before SIGKILL: longer than shutdownGraceSeconds, which ends with leaving membership.')
@minValue(10)
@maxValue(600)
param terminationGracePeriodSeconds int = 40

@minValue(100)
@maxValue(102400)
param modelShareQuotaGiB int = 1024

param modelSharePremium bool = false

@allowed([
  'Basic'
  'Standard'
  'Premium'
])
param registrySku string = 'Standard'

@description('The virtual network\'s address space; the environment takes its first /24.')
param addressPrefix string = '10.42.0.0/16'

// What one silo replica gets on each profile. Serverless: the replica is the whole profile size.
// Dedicated: about 90 % of the node (the rest is the platform's), and more than half of it, so exactly
// one silo lands on a node and sees all of its GPUs. OLLM_GPUS is what NVML reports for these cards
// (a T4 shows 15 GiB of its 16 GB), so that placement plans with what the card really has.
var gpuProfiles = {
  'Consumption-GPU-NC8as-T4': {
    dedicated: false
    gpus: 'cuda:15GiB'
    cpu: '8'
    memory: '56Gi'
  }
  'Consumption-GPU-NC24-A100': {
    dedicated: false
    gpus: 'cuda:80GiB'
    cpu: '24'
    memory: '220Gi'
  }
  'NC24-A100': {
    dedicated: true
    gpus: 'cuda:80GiB'
    cpu: '21'
    memory: '196Gi'
  }
  'NC48-A100': {
    dedicated: true
    gpus: '2x80GiB'
    cpu: '43'
    memory: '396Gi'
  }
  'NC96-A100': {
    dedicated: true
    gpus: '4x80GiB'
    cpu: '86'
    memory: '792Gi'
  }
}
var gpu = gpuProfiles[gpuProfile]

var runningSilos = min(minSilos, siloCount)
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}

// Names known before anything exists, so that modules can refer to each other's resources by name.
var registryName = 'cr${resourceToken}'
var stateAccountName = 'st${resourceToken}'
var modelsAccountName = 'stm${resourceToken}'
var siloOperatorRoleName = guid(subscription().id, 'rg-${environmentName}', 'ollm-silo-operator')
var siloNames = [for i in range(0, siloCount): 'ca-silo-g${siloGeneration}-${i}-${resourceToken}']

// Exposed ports are unique across the environment (36985 is reserved): generation g, silo i gets
// 11111+100g+i and 30000+100g+i, so two generations never collide while both run.
var siloPortBase = 11111 + 100 * siloGeneration
var gatewayPortBase = 30000 + 100 * siloGeneration

// The control app's pair is below every generation's, so it never collides with a silo's.
var controlSiloPort = 11110
var controlGatewayPort = 29999

resource group 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module foundation 'modules/foundation.bicep' = {
  name: 'foundation'
  scope: group
  params: {
    resourceToken: resourceToken
    location: location
    tags: tags
    addressPrefix: addressPrefix
  }
}

module registry 'modules/registry.bicep' = {
  name: 'registry'
  scope: group
  params: {
    name: registryName
    location: location
    tags: tags
    sku: registrySku
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: group
  params: {
    stateAccountName: stateAccountName
    modelsAccountName: modelsAccountName
    location: location
    tags: tags
    modelShareQuotaGiB: modelShareQuotaGiB
    modelSharePremium: modelSharePremium
  }
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: group
  params: {
    name: 'id-${resourceToken}'
    location: location
    tags: tags
    registryName: registryName
    stateAccountName: stateAccountName
    siloOperatorRoleName: siloOperatorRoleName
  }
  // Its role assignments refer to these by name.
  dependsOn: [
    registry
    storage
  ]
}

module environment 'modules/environment.bicep' = {
  name: 'environment'
  scope: group
  params: {
    resourceToken: resourceToken
    location: location
    tags: tags
    infrastructureSubnetId: foundation.outputs.infrastructureSubnetId
    virtualNetworkId: foundation.outputs.virtualNetworkId
    logAnalyticsWorkspaceId: foundation.outputs.logAnalyticsWorkspaceId
    gpuProfileType: gpuProfile
    gpuDedicated: gpu.dedicated
    gpuNodesMinimum: runningSilos
    // Room for two generations at once while a new silo version rolls out.
    gpuNodesMaximum: 2 * siloCount
    modelsAccountName: modelsAccountName
    modelShareName: storage.outputs.modelShareName
  }
}

// What every app of the cluster is told (README "Configuration").
var sharedEnv = [
  {
    name: 'OLLM_CLUSTERING'
    value: 'azure'
  }
  {
    name: 'OLLM_STORAGE_TABLE_URI'
    value: storage.outputs.tableServiceUri
  }
  {
    name: 'AZURE_CLIENT_ID'
    value: identity.outputs.clientId
  }
  {
    name: 'OLLM_CLUSTER_ID'
    value: clusterId
  }
  {
    name: 'OLLM_SERVICE_ID'
    value: environmentName
  }
  {
    name: 'OLLAMA_HOST'
    value: '0.0.0.0:8080'
  }
  {
    name: 'OLLM_MODELS'
    value: '/models'
  }
]

module frontend 'modules/client.bicep' = {
  name: 'frontend'
  scope: group
  params: {
    name: 'ca-frontend-${resourceToken}'
    location: location
    tags: tags
    environmentId: environment.outputs.id
    image: frontendImage
    registryServer: registry.outputs.loginServer
    identityId: identity.outputs.id
    sharedEnv: sharedEnv
    apiKey: apiKey
    minReplicas: frontendMinReplicas
    maxReplicas: max(frontendMinReplicas, frontendMaxReplicas)
    concurrentRequests: frontendConcurrentRequests
    autoscaler: autoscaler
    cpu: '1'
    memory: '2Gi'
    modelsStorageName: environment.outputs.modelsStorageName
    terminationGracePeriodSeconds: terminationGracePeriodSeconds
  }
}

// The autoscaler's pool is this generation's silo apps, each with its host type (the GPU profile's
// name) and the endpoint its silo advertises, which ties it to membership. One host type per
// deployment, so its cost is never compared with another's: 1 per host-hour.
var hostTypes = '${gpuProfile}=${gpu.gpus}@1'

module control 'modules/control.bicep' = {
  name: 'control'
  scope: group
  params: {
    name: 'ca-control-${resourceToken}'
    location: location
    tags: tags
    environmentId: environment.outputs.id
    // The front-end's image: the same server, without CUDA (control.bicep).
    image: frontendImage
    registryServer: registry.outputs.loginServer
    identityId: identity.outputs.id
    sharedEnv: sharedEnv
    apiKey: apiKey
    advertisedIp: environment.outputs.staticIp
    siloPort: controlSiloPort
    gatewayPort: controlGatewayPort
    modelsStorageName: environment.outputs.modelsStorageName
    shutdownGraceSeconds: shutdownGraceSeconds
    terminationGracePeriodSeconds: terminationGracePeriodSeconds
    autoscalerEnv: [
      {
        name: 'OLLM_AUTOSCALER'
        value: autoscaler
      }
      {
        name: 'OLLM_AUTOSCALER_PROVIDER'
        value: 'containerapps'
      }
      {
        name: 'OLLM_HOST_TYPES'
        value: hostTypes
      }
      {
        name: 'OLLM_ACA_SUBSCRIPTION_ID'
        value: subscription().subscriptionId
      }
      {
        name: 'OLLM_ACA_RESOURCE_GROUP'
        value: group.name
      }
      {
        name: 'OLLM_ACA_SILO_APPS'
        value: join(map(range(0, siloCount), i => '${siloNames[i]}=${gpuProfile}@${environment.outputs.staticIp}:${siloPortBase + i}'), ',')
      }
      {
        // This cloud's Resource Manager (a sovereign cloud has its own).
        name: 'OLLM_ARM_ENDPOINT'
        value: az.environment().resourceManager
      }
      {
        // minSilos stay running whatever the autoscaler decides; the whole pool may run.
        name: 'OLLM_MIN_HOSTS'
        value: string(runningSilos)
      }
      {
        name: 'OLLM_MAX_HOSTS'
        value: string(siloCount)
      }
    ]
  }
}

module silos 'modules/silo.bicep' = [
  for i in range(0, siloCount): {
    name: 'silo-g${siloGeneration}-${i}'
    scope: group
    params: {
      name: siloNames[i]
      location: location
      tags: tags
      // azd deploys the silo service to one app: this generation's first, which always runs.
      isAzdTarget: i == 0
      environmentId: environment.outputs.id
      workloadProfileName: environment.outputs.gpuProfileName
      image: siloImage
      registryServer: registry.outputs.loginServer
      identityId: identity.outputs.id
      sharedEnv: sharedEnv
      advertisedIp: environment.outputs.staticIp
      siloPort: siloPortBase + i
      gatewayPort: gatewayPortBase + i
      gpus: gpu.gpus
      cpu: gpu.cpu
      memory: gpu.memory
      modelsStorageName: environment.outputs.modelsStorageName
      shutdownGraceSeconds: shutdownGraceSeconds
      terminationGracePeriodSeconds: terminationGracePeriodSeconds
      siloOperatorRoleName: siloOperatorRoleName
      operatorPrincipalId: identity.outputs.principalId
    }
  }
]

// azd reads these into the environment (.azure/<env>/.env); the hooks (infra/hooks) use the OLLM_ ones.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = group.name
output AZURE_CONTAINER_REGISTRY_ENDPOINT string = registry.outputs.loginServer
output AZURE_CONTAINER_REGISTRY_NAME string = registry.outputs.name
output AZURE_CONTAINER_APPS_ENVIRONMENT_ID string = environment.outputs.id
output AZURE_CONTAINER_APPS_ENVIRONMENT_NAME string = environment.outputs.name
output AZURE_CONTAINER_ENVIRONMENT_NAME string = environment.outputs.name
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output OLLM_FRONTEND_URL string = 'https://${frontend.outputs.fqdn}'
output OLLM_CONTROL_APP string = control.outputs.name
output OLLM_ENVIRONMENT_STATIC_IP string = environment.outputs.staticIp
output OLLM_STATE_STORAGE_ACCOUNT string = storage.outputs.stateAccountName
output OLLM_MODELS_STORAGE_ACCOUNT string = storage.outputs.modelsAccountName
output OLLM_MODELS_SHARE string = storage.outputs.modelShareName
output OLLM_SILO_APPS string = join(siloNames, ' ')
output OLLM_STANDBY_SILO_APPS string = join(skip(siloNames, runningSilos), ' ')
output OLLM_IMAGES_DEPLOYED bool = !empty(siloImage) && !empty(frontendImage)

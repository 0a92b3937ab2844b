// The Container Apps environment: workload profiles (Consumption for the front-end, one GPU profile
// for the silos), injected into the virtual network as an internal environment. Its private static
// IP is what every silo advertises (OLLM_ADVERTISED_IP), each on its own exposed port pair. Also:
// logs to Log Analytics, the models share as environment storage, and a private DNS zone so that the
// apps' names resolve inside the network.

@minLength(13)
@maxLength(13)
@description('uniqueString() of the subscription, environment and region: names the resources.')
param resourceToken string
param location string
param tags object
param infrastructureSubnetId string
param virtualNetworkId string
param logAnalyticsWorkspaceId string

@description('The GPU workload profile type (main.bicep\'s gpuProfile).')
param gpuProfileType string

@description('Dedicated profiles are billed per node and scaled between these counts; serverless ones per replica.')
param gpuDedicated bool
param gpuNodesMinimum int
param gpuNodesMaximum int

param modelsAccountName string
param modelShareName string

// The name apps pin with workloadProfileName (silo.bicep): the same whichever type it is.
var gpuProfileName = 'gpu'

var gpuProfile = gpuDedicated
  ? {
      name: gpuProfileName
      workloadProfileType: gpuProfileType
      minimumCount: gpuNodesMinimum
      maximumCount: gpuNodesMaximum
    }
  : {
      name: gpuProfileName
      workloadProfileType: gpuProfileType
    }

resource environment 'Microsoft.App/managedEnvironments@2026-01-01' = {
  name: 'cae-${resourceToken}'
  location: location
  tags: tags
  properties: {
    appLogsConfiguration: {
      destination: 'azure-monitor' // through the diagnostic setting below: no workspace key
    }
    vnetConfiguration: {
      infrastructureSubnetId: infrastructureSubnetId
      internal: true
    }
    // A dedicated GPU profile can only be added when the environment is created: changing
    // gpuProfile between dedicated types later means a new environment (README "Deploy to Azure").
    workloadProfiles: [
      {
        name: 'Consumption'
        workloadProfileType: 'Consumption'
      }
      gpuProfile
    ]
    zoneRedundant: false
  }
}

resource environmentLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'container-app-logs'
  scope: environment
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        category: 'ContainerAppConsoleLogs'
        enabled: true
      }
      {
        category: 'ContainerAppSystemLogs'
        enabled: true
      }
    ]
  }
}

resource models 'Microsoft.Storage/storageAccounts@2025-06-01' existing = {
  name: modelsAccountName
}

// Read-only for every app: models are put on the share from outside (az storage file upload).
resource modelsStorage 'Microsoft.App/managedEnvironments/storages@2026-01-01' = {
  parent: environment
  name: 'models'
  properties: {
    azureFile: {
      accountName: models.name
      accountKey: models.listKeys().keys[0].value // an SMB mount takes only a key (storage.bicep)
      shareName: modelShareName
      accessMode: 'ReadOnly'
    }
  }
}

module privateDns 'private-dns.bicep' = {
  name: 'private-dns'
  params: {
    #disable-next-line what-if-short-circuiting // the zone is the environment's domain, known once it exists
    zoneName: environment.properties.defaultDomain
    staticIp: environment.properties.staticIp
    virtualNetworkId: virtualNetworkId
    tags: tags
  }
}

output id string = environment.id
output name string = environment.name
output staticIp string = environment.properties.staticIp
output defaultDomain string = environment.properties.defaultDomain
output gpuProfileName string = gpuProfileName
output modelsStorageName string = modelsStorage.name

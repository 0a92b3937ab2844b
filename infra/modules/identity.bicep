// The runtime identity every app runs as (AZURE_CLIENT_ID), and what it may do:
// - AcrPull on the registry (image pulls without passwords);
// - Storage Table Data Contributor on the state account (membership, reminders, grain state; Orleans
//   creates its tables if missing, so Reader is not enough) and Storage Blob Data Contributor (blob
//   grain state);
// - for the autoscaler, a custom role with only read, start and stop of container apps. The role
//   definition is assignable in this resource group; silo.bicep assigns it on each silo app, so the
//   identity can start and stop the silos and nothing else (not the front-end, not other apps).

param name string
param location string
param tags object
param registryName string
param stateAccountName string

@description('The custom role\'s name (a GUID, main.bicep), so that silo.bicep can name it before it exists.')
param siloOperatorRoleName string

var acrPull = '7f951dda-4ed3-4680-a7ca-43fe172d538d'
var storageTableDataContributor = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
var storageBlobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'

resource runtime 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
  tags: tags
}

resource registry 'Microsoft.ContainerRegistry/registries@2025-11-01' existing = {
  name: registryName
}

resource state 'Microsoft.Storage/storageAccounts@2025-06-01' existing = {
  name: stateAccountName
}

resource registryPull 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(registry.id, runtime.id, acrPull)
  scope: registry
  properties: {
    principalId: runtime.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', acrPull)
  }
}

resource stateTables 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(state.id, runtime.id, storageTableDataContributor)
  scope: state
  properties: {
    principalId: runtime.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageTableDataContributor)
  }
}

resource stateBlobs 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(state.id, runtime.id, storageBlobDataContributor)
  scope: state
  properties: {
    principalId: runtime.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributor)
  }
}

// Custom role names are unique per tenant: the resource group's name keeps two deployments apart.
resource siloOperator 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: siloOperatorRoleName
  properties: {
    roleName: 'OrleansLlm silo operator (${resourceGroup().name})'
    description: 'Read, start and stop the OrleansLlm silo container apps it is assigned on (the autoscaler).'
    type: 'CustomRole'
    permissions: [
      {
        actions: [
          'Microsoft.App/containerApps/read'
          'Microsoft.App/containerApps/start/action'
          'Microsoft.App/containerApps/stop/action'
        ]
        notActions: []
      }
    ]
    assignableScopes: [
      resourceGroup().id
    ]
  }
}

output id string = runtime.id
output clientId string = runtime.properties.clientId
output principalId string = runtime.properties.principalId

// The container registry azd pushes both images to (AZURE_CONTAINER_REGISTRY_ENDPOINT). Apps pull
// with the runtime identity (AcrPull, identity.bicep): no admin user, no passwords.

@minLength(5)
@maxLength(50)
param name string
param location string
param tags object

@description('Basic holds 10 GiB, a few CUDA images; Premium adds artifact streaming, which shortens a GPU silo\'s cold start.')
@allowed([
  'Basic'
  'Standard'
  'Premium'
])
param sku string

resource registry 'Microsoft.ContainerRegistry/registries@2025-11-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: sku
  }
  properties: {
    adminUserEnabled: false
    anonymousPullEnabled: false
    publicNetworkAccess: 'Enabled'
  }
}

output name string = registry.name
output loginServer string = registry.properties.loginServer

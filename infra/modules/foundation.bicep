// What everything else sits on: the Log Analytics workspace the environment's logs go to, and the
// virtual network the Container Apps environment is injected into (internal: silos advertise its
// private static IP, and nothing of the cluster is reachable from the internet).

@minLength(13)
@maxLength(13)
@description('uniqueString() of the subscription, environment and region: names the resources.')
param resourceToken string
param location string
param tags object

@description('The network; the infrastructure subnet takes its first /24.')
param addressPrefix string

resource logs 'Microsoft.OperationalInsights/workspaces@2025-07-01' = {
  name: 'log-${resourceToken}'
  location: location
  tags: tags
  properties: {
    retentionInDays: 30
    sku: {
      name: 'PerGB2018'
    }
  }
}

resource network 'Microsoft.Network/virtualNetworks@2025-07-01' = {
  name: 'vnet-${resourceToken}'
  location: location
  tags: tags
  properties: {
    addressSpace: {
      addressPrefixes: [
        addressPrefix
      ]
    }
  }
}

// Workload-profile environments need at least a /27; serverless GPUs take one address per replica
// and dedicated profiles one per node, so a /24 leaves room for every silo of two generations.
resource infrastructureSubnet 'Microsoft.Network/virtualNetworks/subnets@2025-07-01' = {
  parent: network
  name: 'container-apps'
  properties: {
    addressPrefix: cidrSubnet(addressPrefix, 24, 0)
    delegations: [
      {
        name: 'Microsoft.App.environments'
        properties: {
          serviceName: 'Microsoft.App/environments'
        }
      }
    ]
    serviceEndpoints: [
      {
        service: 'Microsoft.Storage'
      }
    ]
  }
}

output logAnalyticsWorkspaceId string = logs.id
output virtualNetworkId string = network.id
output infrastructureSubnetId string = infrastructureSubnet.id

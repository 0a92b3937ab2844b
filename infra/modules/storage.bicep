// Two storage accounts, split by how they are reached.
//
// State (membership, reminders, model grain state: Azure Tables): reached only with the runtime
// identity (OLLM_STORAGE_TABLE_URI + AZURE_CLIENT_ID); shared-key access is off.
//
// Models (the Azure Files share mounted read-only at /models on every silo and the front-end):
// Container Apps mounts an SMB share only with the account key today (no managed-identity mount;
// microsoft/azure-container-apps#1446), so this account must allow shared-key access. It holds
// nothing but model files, so the key reaches nothing else; it never leaves ARM (environment.bicep
// reads it with listKeys() into the environment's storage definition).

@minLength(3)
@maxLength(24)
param stateAccountName string

@minLength(3)
@maxLength(24)
param modelsAccountName string
param location string
param tags object

@description('The models share\'s size in GiB (Premium: provisioned and billed; Standard: a cap).')
@minValue(100)
@maxValue(102400)
param modelShareQuotaGiB int

@description('Premium (FileStorage, SSD) loads models faster; Standard is billed by use.')
param modelSharePremium bool

// Orleans' default table names (the app does not override them).
var stateTables = [
  'OrleansSiloInstances'
  'OrleansReminders'
  'OrleansGrainState'
]

resource state 'Microsoft.Storage/storageAccounts@2025-06-01' = {
  name: stateAccountName
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    publicNetworkAccess: 'Enabled'
    supportsHttpsTrafficOnly: true
  }
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2025-06-01' = {
  parent: state
  name: 'default'
}

// Created here as well as by Orleans (CreateIfNotExists), so that a deployment shows them.
resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2025-06-01' = [
  for table in stateTables: {
    parent: tableService
    name: table
  }
]

resource models 'Microsoft.Storage/storageAccounts@2025-06-01' = {
  name: modelsAccountName
  location: location
  tags: tags
  kind: modelSharePremium ? 'FileStorage' : 'StorageV2'
  sku: {
    name: modelSharePremium ? 'Premium_LRS' : 'Standard_LRS'
  }
  properties: {
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    allowSharedKeyAccess: true // the Container Apps SMB mount needs the key (above)
    minimumTlsVersion: 'TLS1_2'
    publicNetworkAccess: 'Enabled'
    supportsHttpsTrafficOnly: true
  }
}

resource fileService 'Microsoft.Storage/storageAccounts/fileServices@2025-06-01' = {
  parent: models
  name: 'default'
}

resource modelShare 'Microsoft.Storage/storageAccounts/fileServices/shares@2025-06-01' = {
  parent: fileService
  name: 'models'
  properties: {
    enabledProtocols: 'SMB'
    shareQuota: modelShareQuotaGiB
  }
}

output stateAccountName string = state.name
output tableServiceUri string = state.properties.primaryEndpoints.table
output modelsAccountName string = models.name
output modelShareName string = modelShare.name

// Key Vault with RBAC authorisation (no access policies), soft delete and purge protection.
// Empty by default: CaseDesk in Azure uses its managed identity and needs no secret.
@description('Vault name.')
param name string

@description('Region.')
param location string

@description('Tags.')
param tags object

@description('Enabled, or Disabled when private endpoints are used.')
@allowed([
  'Enabled'
  'Disabled'
])
param publicNetworkAccess string

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    publicNetworkAccess: publicNetworkAccess
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: publicNetworkAccess == 'Disabled' ? 'Deny' : 'Allow'
    }
  }
}

@description('The vault name.')
output name string = vault.name

@description('The vault URI.')
output uri string = vault.properties.vaultUri

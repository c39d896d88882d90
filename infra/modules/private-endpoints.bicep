// Optional private endpoints for storage (blob, queue, table), Key Vault and Azure OpenAI, in an
// existing subnet, registered in existing private DNS zones (dnsZoneIds: blob, queue, table,
// vault, openai; every key is required). With them the resources' public network access is disabled (main.bicep).
@description('Region.')
param location string

@description('Tags.')
param tags object

@description('Subnet for the endpoints.')
param subnetId string

@description('Private DNS zone ids by key: blob, queue, table, vault and (with AI) openai; all required.')
param dnsZoneIds object

@description('Storage account name.')
param storageAccountName string

@description('Key Vault name.')
param keyVaultName string

@description('Azure OpenAI account name, or empty.')
param openAiName string

var storageId = resourceId('Microsoft.Storage/storageAccounts', storageAccountName)
var always = [
  {
    key: 'blob'
    resourceId: storageId
    group: 'blob'
  }
  {
    key: 'queue'
    resourceId: storageId
    group: 'queue'
  }
  {
    key: 'table'
    resourceId: storageId
    group: 'table'
  }
  {
    key: 'vault'
    resourceId: resourceId('Microsoft.KeyVault/vaults', keyVaultName)
    group: 'vault'
  }
]
var ai = [
  {
    key: 'openai'
    resourceId: resourceId('Microsoft.CognitiveServices/accounts', openAiName)
    group: 'account'
  }
]
var targets = empty(openAiName) ? always : concat(always, ai)

resource endpoints 'Microsoft.Network/privateEndpoints@2023-11-01' = [
  for t in targets: {
    name: 'pe-casedesk-${t.key}'
    location: location
    tags: tags
    properties: {
      subnet: {
        id: subnetId
      }
      privateLinkServiceConnections: [
        {
          name: 'casedesk-${t.key}'
          properties: {
            privateLinkServiceId: t.resourceId
            groupIds: [
              t.group
            ]
          }
        }
      ]
    }
  }
]

resource zoneGroups 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2023-11-01' = [
  for (t, i) in targets: {
    parent: endpoints[i]
    name: 'default'
    properties: {
      privateDnsZoneConfigs: [
        {
          name: t.key
          properties: {
            privateDnsZoneId: dnsZoneIds[t.key]
          }
        }
      ]
    }
  }
]

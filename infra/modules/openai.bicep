// Azure OpenAI in UK South with a Standard (regional) deployment: prompts are processed in the
// resource's region. Global and DataZone deployment types could process them elsewhere, so they
// are not allowed here. Key (local) authentication is disabled: the managed identity only.
@description('Account name (also its custom subdomain).')
param name string

@description('Region; uksouth only.')
@allowed([
  'uksouth'
])
param location string

@description('Tags.')
param tags object

@description('Model name and version; must be offered as Standard in uksouth.')
param model object

@description('Capacity in thousands of tokens per minute.')
param capacity int

@description('Enabled, or Disabled when private endpoints are used.')
@allowed([
  'Enabled'
  'Disabled'
])
param publicNetworkAccess string

resource account 'Microsoft.CognitiveServices/accounts@2024-10-01' = {
  name: name
  location: location
  tags: tags
  kind: 'OpenAI'
  sku: {
    name: 'S0'
  }
  properties: {
    customSubDomainName: name
    disableLocalAuth: true
    publicNetworkAccess: publicNetworkAccess
    networkAcls: {
      defaultAction: publicNetworkAccess == 'Disabled' ? 'Deny' : 'Allow'
    }
  }
}

resource deployment 'Microsoft.CognitiveServices/accounts/deployments@2024-10-01' = {
  parent: account
  name: 'casedesk-classify'
  sku: {
    name: 'Standard'
    capacity: capacity
  }
  properties: {
    model: {
      format: 'OpenAI'
      name: model.name
      version: model.version
    }
    versionUpgradeOption: 'NoAutoUpgrade'
  }
}

@description('The endpoint for CASEDESK_AI_ENDPOINT.')
output endpoint string = account.properties.endpoint

@description('The deployment name for CASEDESK_AI_DEPLOYMENT.')
output deploymentName string = deployment.name

// CaseDesk for one MP's office: Function App (Flex Consumption) with a system-assigned managed
// identity, Storage (queue + table, identity-based connections, no shared keys), Key Vault
// (RBAC), Application Insights (IP masking, Entra-only ingestion), and an Azure OpenAI
// Standard (regional) deployment in UK South. Optional private endpoints.
//
// Not compiled by the Bicep CLI nor deployed: it is parsed and policy-checked offline in
// `make test` (tests/unit/test_infra_static.py). See docs/deploy.md.
targetScope = 'resourceGroup'

@description('Azure region for every resource. UK South keeps data and AI processing in the UK.')
@allowed([
  'uksouth'
])
param location string = 'uksouth'

@description('Short name for the office, 3-10 lower-case letters or digits, used in resource names (e.g. "cambridge").')
@minLength(3)
@maxLength(10)
param officeName string

@description('Office mailboxes CaseDesk reads (the members of the Exchange RBAC management scope).')
@minLength(1)
param mailboxes array

@description('Application (client) id of the Function App\'s managed identity in Entra ID (Enterprise applications), used for Graph tokens.')
param graphClientId string

@description('Graph id of the casework SharePoint site (Sites.Selected is granted on this site only).')
param sharePointSiteId string

@description('Graph id of the case documents library (drive) in that site.')
param sharePointDriveId string

@description('Deploy the Azure OpenAI account and model deployment (AI stays off until enableAi is true).')
param deployOpenAi bool = true

@description('Turn AI labelling on (CASEDESK_CLASSIFIER=ai). Off by default: the embedded classifier labels mail.')
param enableAi bool = false

@description('Model for AI labelling; must be offered as a Standard (regional) deployment in uksouth.')
param openAiModel object = {
  name: 'gpt-4.1-mini'
  version: '2025-04-14'
}

@description('Tokens-per-minute capacity of the model deployment, in thousands.')
@minValue(1)
param openAiCapacity int = 30

@description('Days the Log Analytics workspace keeps telemetry.')
@minValue(30)
@maxValue(730)
param logRetentionDays int = 30

@description('Subnet for private endpoints; empty for none (public endpoints, identity-only access).')
param privateEndpointSubnetId string = ''

@description('Subnet the Function App integrates with (required with private endpoints).')
param integrationSubnetId string = ''

@description('Private DNS zone ids for private endpoints: keys blob, queue, table, vault, openai.')
param privateDnsZoneIds object = {}

@description('Tags on every resource.')
param tags object = {
  application: 'CaseDesk'
}

var usePrivateEndpoints = !empty(privateEndpointSubnetId)
var suffix = uniqueString(resourceGroup().id, officeName)
var names = {
  storage: take('stcd${officeName}${suffix}', 24)
  functionApp: 'func-casedesk-${officeName}-${suffix}'
  plan: 'plan-casedesk-${officeName}'
  workspace: 'log-casedesk-${officeName}'
  insights: 'appi-casedesk-${officeName}'
  keyVault: take('kv-cd-${officeName}-${suffix}', 24)
  openAi: 'oai-casedesk-${officeName}-${suffix}'
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: names.storage
    location: location
    tags: tags
    publicNetworkAccess: usePrivateEndpoints ? 'Disabled' : 'Enabled'
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    workspaceName: names.workspace
    insightsName: names.insights
    location: location
    tags: tags
    retentionDays: logRetentionDays
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyVault'
  params: {
    name: names.keyVault
    location: location
    tags: tags
    publicNetworkAccess: usePrivateEndpoints ? 'Disabled' : 'Enabled'
  }
}

module openAi 'modules/openai.bicep' = if (deployOpenAi) {
  name: 'openAi'
  params: {
    name: names.openAi
    location: location
    tags: tags
    model: openAiModel
    capacity: openAiCapacity
    publicNetworkAccess: usePrivateEndpoints ? 'Disabled' : 'Enabled'
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionApp'
  params: {
    name: names.functionApp
    planName: names.plan
    location: location
    tags: tags
    storageAccountName: storage.outputs.name
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    insightsConnectionString: monitoring.outputs.connectionString
    integrationSubnetId: integrationSubnetId
  }
}

module roles 'modules/roles.bicep' = {
  name: 'roles'
  params: {
    principalId: functionApp.outputs.principalId
    storageAccountName: storage.outputs.name
    insightsName: monitoring.outputs.insightsName
    keyVaultName: keyVault.outputs.name
    openAiName: deployOpenAi ? names.openAi : ''
  }
  dependsOn: [
    openAi
  ]
}

module settings 'modules/appsettings.bicep' = {
  name: 'appSettings'
  params: {
    functionAppName: functionApp.outputs.name
    hostName: functionApp.outputs.defaultHostName
    storageAccountName: storage.outputs.name
    insightsConnectionString: monitoring.outputs.connectionString
    keyVaultUri: keyVault.outputs.uri
    graphClientId: graphClientId
    mailboxes: mailboxes
    sharePointSiteId: sharePointSiteId
    sharePointDriveId: sharePointDriveId
    enableAi: enableAi && deployOpenAi
    openAiEndpoint: deployOpenAi ? openAi.outputs.endpoint : ''
    openAiDeployment: deployOpenAi ? openAi.outputs.deploymentName : ''
  }
  dependsOn: [
    roles
  ]
}

module privateEndpoints 'modules/private-endpoints.bicep' = if (usePrivateEndpoints) {
  name: 'privateEndpoints'
  params: {
    location: location
    tags: tags
    subnetId: privateEndpointSubnetId
    dnsZoneIds: privateDnsZoneIds
    storageAccountName: storage.outputs.name
    keyVaultName: keyVault.outputs.name
    openAiName: deployOpenAi ? names.openAi : ''
  }
  dependsOn: [
    openAi
  ]
}

@description('The Function App name, for `func azure functionapp publish` or zip deploy.')
output functionAppName string = functionApp.outputs.name

@description('Object id of the Function App\'s managed identity: assign it the Graph app roles and the Exchange RBAC roles (docs/deploy.md).')
output managedIdentityPrincipalId string = functionApp.outputs.principalId

@description('Where Graph sends change notifications.')
output notificationUrl string = 'https://${functionApp.outputs.defaultHostName}/api/notifications'

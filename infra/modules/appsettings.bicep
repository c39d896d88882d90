// CaseDesk's settings (docs/m365-setup.md) as app settings. No secrets: storage, Graph, Azure
// OpenAI and telemetry all authenticate with the managed identity.
@description('Function App name.')
param functionAppName string

@description('Its default host name.')
param hostName string

@description('Storage account name (identity-based connections).')
param storageAccountName string

@description('Application Insights connection string.')
param insightsConnectionString string

@description('Key Vault URI, for Key Vault references an office may add.')
param keyVaultUri string

@description('Client id of the managed identity (CASEDESK_CLIENT_ID).')
param graphClientId string

@description('Office mailboxes.')
param mailboxes array

@description('SharePoint site id.')
param sharePointSiteId string

@description('SharePoint document library (drive) id.')
param sharePointDriveId string

@description('AI labelling on.')
param enableAi bool

@description('Azure OpenAI endpoint, or empty.')
param openAiEndpoint string

@description('Azure OpenAI deployment name, or empty.')
param openAiDeployment string

resource site 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

var aiOn = {
  CASEDESK_CLASSIFIER: 'ai'
  CASEDESK_AI_ENDPOINT: openAiEndpoint
  CASEDESK_AI_DEPLOYMENT: openAiDeployment
  CASEDESK_AI_USE_MANAGED_IDENTITY: 'true'
}
var aiOff = {
  CASEDESK_CLASSIFIER: 'embedded'
}

resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: union(
    {
      AzureWebJobsStorage__accountName: storageAccountName
      APPLICATIONINSIGHTS_CONNECTION_STRING: insightsConnectionString
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD'
      KEY_VAULT_URI: keyVaultUri
      CASEDESK_ADAPTERS: 'm365'
      CASEDESK_TENANT_ID: tenant().tenantId
      CASEDESK_CLIENT_ID: graphClientId
      CASEDESK_USE_MANAGED_IDENTITY: 'true'
      CASEDESK_MAILBOXES: join(mailboxes, ',')
      CASEDESK_NOTIFICATION_URL: 'https://${hostName}/api/notifications'
      CASEDESK_LIFECYCLE_URL: 'https://${hostName}/api/lifecycle'
      CASEDESK_STORAGE_ACCOUNT_NAME: storageAccountName
      CASEDESK_SHAREPOINT_SITE_ID: sharePointSiteId
      CASEDESK_SHAREPOINT_DRIVE_ID: sharePointDriveId
    },
    enableAi ? aiOn : aiOff
  )
}

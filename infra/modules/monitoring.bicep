// Log Analytics + workspace-based Application Insights with no-PII settings: client IPs are
// masked (DisableIpMasking false), ingestion needs Entra ID (DisableLocalAuth true), and
// telemetry is kept for retentionDays. Sampling is set in functions/host.json.
@description('Log Analytics workspace name.')
param workspaceName string

@description('Application Insights component name.')
param insightsName string

@description('Region.')
param location string

@description('Tags.')
param tags object

@description('Days to keep telemetry.')
param retentionDays int

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: workspaceName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionDays
    features: {
      disableLocalAuth: true
    }
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: insightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    DisableIpMasking: false
    DisableLocalAuth: true
    RetentionInDays: retentionDays
    IngestionMode: 'LogAnalytics'
  }
}

@description('The component name.')
output insightsName string = insights.name

@description('Connection string (not a secret; ingestion still needs an Entra token).')
output connectionString string = insights.properties.ConnectionString

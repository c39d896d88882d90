// Parameters for one office. Copy, fill in, deploy with docs/deploy.md. No secrets here: none
// are needed.
using 'main.bicep'

param officeName = 'cambridge'
param mailboxes = [
  'alex.morgan.mp@parliament.example'
  'casework.morgan@parliament.example'
]
param graphClientId = '00000000-0000-0000-0000-000000000000'
param sharePointSiteId = 'contoso.sharepoint.com,00000000-0000-0000-0000-000000000000,00000000-0000-0000-0000-000000000000'
param sharePointDriveId = 'b!replace-with-the-case-documents-drive-id'
param enableAi = false

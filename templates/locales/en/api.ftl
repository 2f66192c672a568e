# /api/v1/staff (issue 20): clients that act as a staff account.
api-problem-bad-query = Invalid query parameter
api-problem-not-allowed = The account this system acts as may not do this
api-problem-move-refused = This action could not be carried out
api-err-status = The status is not one of the PAKN statuses.
api-err-limit = limit must be a whole number from 1 to 100.
api-err-cursor = The page cursor is invalid; use the next address of the previous page.
pdlog-purpose-api = Read by a connected system through the API

# /api/v1/docs: the API described for developers.
apidoc-title = API for other systems
apidoc-intro = Other systems (the national PAKN system, the public-service portal, the province's app, one-stop-shop software) file PAKN on citizens' behalf, follow them and handle them through this API. The machine-readable OpenAPI 3.1 document is at the address below; this page reads that same document.
apidoc-keys = API keys
apidoc-keys-text = Each system has a key given by an admin (shown once), sent in the Authorization: Bearer header. Scope file: file PAKN and read those filed. Scope staff: read and handle PAKN with one staff account's rights; every reading of a sender's details is recorded in the personal-data log.
apidoc-operations = Operations
apidoc-params = Parameters
apidoc-body = Body:
apidoc-responses = Answers
apidoc-open311 = Open311 GeoReport v2 is at /open311/v2 (discovery, services, requests, tokens; XML and JSON): a lĩnh vực is a service, a PAKN a service request; the list holds only published PAKN, without personal data.
apidoc-webhooks = A connected system can receive events (pakn.filed, pakn.status_changed, pakn.information_requested, pakn.answered, pakn.published, pakn.rated) at its own address, signed per Standard Webhooks, without personal data.
api-problem-too-large = The request is larger than allowed

# The admin screen of API clients: scopes, account, rate.
admin-api-col-rate = Calls a minute
admin-api-scope-file = File PAKN for citizens and follow those filed (file)
admin-api-scope-watch = Hear every PAKN's events by webhook, without personal data (watch)
admin-api-scope-staff = Read and handle PAKN with one staff account's rights (staff)
admin-api-acts-as = Staff account the system acts as (with staff)
admin-api-scope-needed = Please choose at least one scope.
admin-api-acts-as-needed = The staff scope needs the staff account the system acts as.
admin-api-rate-needed = Calls a minute must be a whole number from 1.

# /api/v1/staff (issue 20): clients that act as a staff account.
api-problem-bad-query = Invalid query parameter
api-problem-not-allowed = The account this system acts as may not do this
api-problem-move-refused = This action could not be carried out
api-err-status = The status is not one of the PAKN statuses.
api-err-limit = limit must be a whole number from 1 to 100.
api-err-cursor = The page cursor is invalid; use the next address of the previous page.
pdlog-purpose-api = Read by a connected system through the API

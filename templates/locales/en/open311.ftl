# Open311 GeoReport v2: the service requests (issue 20).
open311-key-required = An API key (api_key) is needed to send a request.
open311-key-invalid = The API key is wrong or has been revoked.
open311-out-of-scope = This API key may not file feedback and recommendations.
open311-rate-limited = Too many requests in one minute; please try again later.
open311-unavailable = The system is busy; please try again in a few minutes.
open311-bad-date = Dates and times must be ISO 8601 (for example 2026-12-01T00:00:00+07:00).
open311-bad-range = The period (start_date to end_date) may not exceed 90 days, and start_date must come before end_date.
open311-bad-status = The status can only be open or closed.
open311-bad-page = page must be a whole number from 1; page_size from 1 to 1000.
open311-no-request = No such request (service_request_id), or it is not public yet.
open311-filed-notice = Feedback received. Tracking code: { $code }. Reply due: { $due }.
open311-attr-title = Title (taken from the start of the description when absent)
open311-attr-consent = The sender has read the personal data notice and agrees
open311-attr-publish-consent = The sender agrees to publication of the content (personal data removed)
open311-value-yes = Yes
open311-value-no = No
open311-param-error = { $param }: { $message }

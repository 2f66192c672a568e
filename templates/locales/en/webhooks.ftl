# Webhooks of API clients (issue 20): the admins' mail when a subscription is switched off.
webhook-off-subject = The webhook of { $client } was switched off: deliveries fail
webhook-off-intro = Every delivery to the webhook address below has failed for several days, so the system switched this subscription off. The events not yet delivered are kept.
webhook-off-client = Connected system
webhook-off-url = Receiving address
webhook-off-since = Failing since
webhook-off-what = Once the receiver works again, switch the subscription on and replay the events at:

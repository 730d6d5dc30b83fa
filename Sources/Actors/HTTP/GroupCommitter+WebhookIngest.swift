/// The service's webhook route commits through the ingress run's group committer.
extension GroupCommitter: WebhookIngest {}

"""The AWS of template.yaml, emulated on this machine: moto plus a small Lambda dispatcher.

``provision`` reads ``template.yaml`` itself (through cfn-lint's decoder, so
``!Ref``/``!Sub``/``!GetAtt`` arrive as intrinsics) and creates every bucket,
table (keys, indexes, TTL), queue (with its redrive policy) and topic it
declares, in whatever AWS a boto3 session points at: moto's in-process mock
in tests, moto's server for the local pipeline. There is no second copy of the
resources anywhere.

moto cannot run Lambda functions, so ``Emulator`` plays Lambda's part, the way
AWS would: S3 notifications invoke the subscribed function asynchronously
(retried ``MaximumRetryAttempts`` times, then the failure record goes to the
``OnFailure`` destination), and SQS event source mappings deliver batches and
delete what the function did not report in ``batchItemFailures``.
"""

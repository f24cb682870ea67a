"""The AWS of template.yaml, emulated on this machine: moto plus a small Lambda dispatcher.

- ``template``: template.yaml read (through cfn-lint's decoder, so ``!Ref``/``!Sub``/``!GetAtt`` arrive as
  intrinsics) and the ``Stack`` that resolves them to local names and ARNs;
- ``switches``: the template's SQS event source mappings and schedules, in moto, on or off as AWS's are;
- ``provision``: every bucket, table (keys, indexes, TTL), queue (with its redrive policy) and topic it
  declares, created in whatever AWS a boto3 session points at: moto's in-process mock in tests, moto's
  server for the local pipeline. There is no second copy of the resources anywhere;
- ``carrier``: SNS's SMS delivery-status logs, a carrier's answer for every SMS, handed to the subscribed
  function through whatever invokes it (an ``Invoker``: the runner below, passed in);
- ``lambdas``: moto cannot run Lambda functions, so ``LambdaRunner`` plays Lambda's part, the way AWS would:
  S3 notifications invoke the subscribed function asynchronously (retried ``MaximumRetryAttempts`` times,
  then the failure record goes to the ``OnFailure`` destination), and SQS event source mappings deliver
  batches and delete what the function did not report in ``batchItemFailures``;
- ``server``: ``Emulator``, moto's server on 127.0.0.1 with all of the above on top (the demo's), DynamoDB in
  a moto server process of its own.

Each module imports only those listed before it.
"""

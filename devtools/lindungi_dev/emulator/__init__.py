"""The AWS of template.yaml, emulated on this machine: moto plus a small Lambda dispatcher.

- ``template``: template.yaml read (through cfn-lint's decoder, so ``!Ref``/``!Sub``/``!GetAtt`` arrive as
  intrinsics) and the ``Stack`` that resolves them to local names and ARNs;
- ``switches``: the template's SQS event source mappings and schedules, in moto, on or off as AWS's are;
- ``cognito``: the template's Cognito user pools, app clients and groups in moto (which serves each pool's
  keys), and staff accounts made as an administrator makes them (a first password to change);
- ``provision``: every bucket, table (keys, indexes, TTL), queue (with its redrive policy), topic, key and user
  pool it declares, created in whatever AWS a boto3 session points at: moto's in-process mock in tests, moto's
  server for the local pipeline. There is no second copy of the resources anywhere;
- ``carrier``: SNS's SMS delivery-status logs, a carrier's answer for every SMS, handed to the subscribed
  function through whatever invokes it (an ``Invoker``: the runner below, passed in);
- ``urls``: Lambda function URLs on 127.0.0.1: an HTTP request becomes the function-URL event (payload 2.0),
  the function's answer the HTTP response;
- ``lambdas``: moto cannot run Lambda functions, so ``LambdaRunner`` plays Lambda's part, the way AWS would:
  S3 notifications invoke the subscribed function asynchronously (retried ``MaximumRetryAttempts`` times,
  then the failure record goes to the ``OnFailure`` destination), and SQS event source mappings deliver
  batches and delete what the function did not report in ``batchItemFailures``; a browser's upload (a
  presigned POST to moto's S3) notifies the function by the bucket's own notification configuration; each
  function with a ``FunctionUrlConfig`` is served at its URL (``serve_urls``);
- ``server``: ``Emulator``, moto's server on 127.0.0.1 with all of the above on top (the demo's), DynamoDB in
  a moto server process of its own.

Each module imports only those listed before it.
"""

-- The W3C traceparent of the span that enqueued a job, so the worker's run joins the same trace whichever
-- way the job reaches it (RabbitMQ, a worker handing on a flow step, recovery).
ALTER TABLE v2_job ADD COLUMN trace_parent varchar(55);

"""Background work: the durable queue's job kinds, schedules and `otklik worker`."""

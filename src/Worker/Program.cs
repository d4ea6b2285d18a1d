using Windmill.Jobs.Worker.Extensions;

return await WorkerHost.RunAsync(args);

using Windmill.Jobs.Api.Extensions;

return await ApiHost.RunAsync(args);

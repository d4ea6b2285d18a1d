// Namespaces nearly every API file uses.
global using System.Text.Json.Serialization;
global using Microsoft.EntityFrameworkCore;
global using Windmill.Jobs.Api.Auth;
global using Windmill.Jobs.Api.Infrastructure;
global using Windmill.Jobs.Api.Services;
global using Windmill.Jobs.Core.Errors;
global using Windmill.Jobs.Core.Paths;
global using Windmill.Jobs.Core.Security;
global using Windmill.Jobs.Store;
global using Windmill.Jobs.Store.Model;
global using Windmill.Jobs.Api.Extensions;
global using Windmill.Jobs.Api.Jobs;
global using Windmill.Jobs.Store.Jobs;
global using Windmill.Jobs.Core.Jobs;
global using Windmill.Jobs.Runtime;

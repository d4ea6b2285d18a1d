global using Windmill.Jobs.IntegrationTests.Infrastructure;

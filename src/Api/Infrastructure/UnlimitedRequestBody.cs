namespace Windmill.Jobs.Api.Infrastructure;

/// <summary>Endpoint metadata: the route streams its body (uploads), so the general request size limit does not apply.</summary>
public sealed class UnlimitedRequestBody;

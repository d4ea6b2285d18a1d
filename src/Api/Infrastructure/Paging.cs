namespace Windmill.Jobs.Api.Infrastructure;

/// <summary>Windmill's <c>page</c> (1-based) / <c>per_page</c> query pagination.</summary>
public readonly record struct Paging(int Page, int PerPage)
{
    public const int MaxPerPage = 10_000;

    public static Paging From(int? page, int? perPage, int defaultPerPage)
    {
        var p = page ?? 1;
        var pp = perPage ?? defaultPerPage;
        if (p < 1) throw WindmillError.BadRequest("page must be 1 or more");
        if (pp < 1 || pp > MaxPerPage) throw WindmillError.BadRequest($"per_page must be from 1 to {MaxPerPage}");
        return new Paging(p, pp);
    }

    public IEnumerable<T> Apply<T>(IEnumerable<T> items) => items.Skip((Page - 1) * PerPage).Take(PerPage);
}

namespace Cauchy.Domain;

/// <summary>
/// List responses are bounded in bytes as well as in rows: a page stops before the item that would take the encoded
/// response past <see cref="MaxBytes"/>, and its next_page_token continues from there. So a list never exceeds the
/// 4 MiB a default gRPC client accepts, whatever is stored (common.proto "Pagination").
/// </summary>
public sealed class PageBudget
{
    /// <summary>The most bytes of items one list response carries: a quarter of a default client's 4 MiB limit.</summary>
    public const int MaxBytes = 1024 * 1024;

    /// <summary>What a repeated message field adds to each item: its tag and length prefix, at most.</summary>
    private const int ItemOverhead = 6;

    private long _used;
    private int _count;

    /// <summary>
    /// Whether an item of <paramref name="size"/> encoded bytes still fits the page, counting it when it does. The first
    /// item always fits, so a list makes progress.
    /// </summary>
    public bool TryAdd(int size)
    {
        var used = _used + size + ItemOverhead;
        if (_count > 0 && used > MaxBytes)
        {
            return false;
        }

        _used = used;
        _count++;
        return true;
    }

    /// <summary>How many of the items, whose encoded sizes are <paramref name="sizes"/> in page order, fit one response.</summary>
    public static int Fit(IEnumerable<int> sizes)
    {
        var budget = new PageBudget();
        return sizes.TakeWhile(budget.TryAdd).Count();
    }
}

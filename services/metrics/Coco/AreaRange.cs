namespace Cauchy.Metrics.Coco;

/// <summary>Objects whose area lies in [<paramref name="Min"/>, <paramref name="Max"/>] (both included).</summary>
public sealed record AreaRange(string Label, double Min, double Max)
{
    public bool Contains(double area) => !(area < Min || area > Max);
}

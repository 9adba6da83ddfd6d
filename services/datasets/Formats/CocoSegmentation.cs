using System.Text.Json;
using Cauchy.Datasets.Domain;
using Cauchy.Domain;

namespace Cauchy.Datasets.Formats;

/// <summary>
/// COCO "segmentation" values: polygons ([[x1, y1, x2, y2, ...], ...]) or run-length encodings ({"size": [h, w],
/// "counts": [...] or "compressed string"}). Parsed to check their shape and to get their bounding box.
/// </summary>
public static class CocoSegmentation
{
    /// <summary>The bounds of the segmentation, or null when it covers no pixel; INVALID_ARGUMENT when malformed.</summary>
    public static (float XMin, float YMin, float XMax, float YMax)? Bounds(JsonElement segmentation, string where)
    {
        switch (segmentation.ValueKind)
        {
            case JsonValueKind.Array:
                return PolygonBounds(segmentation, where);
            case JsonValueKind.Object:
                if (!segmentation.TryGetProperty("size", out var size) || size.ValueKind != JsonValueKind.Array || size.GetArrayLength() != 2
                    || !segmentation.TryGetProperty("counts", out var counts))
                {
                    throw DomainException.InvalidArgument($"{where} has an RLE segmentation without \"size\" [h, w] and \"counts\"");
                }
                var height = size[0].GetInt32();
                var width = size[1].GetInt32();
                var runs = counts.ValueKind switch
                {
                    JsonValueKind.Array => counts.EnumerateArray().Select(v => v.GetInt64()).ToList(),
                    JsonValueKind.String => DecodeCompressedCounts(counts.GetString()!, where),
                    _ => throw DomainException.InvalidArgument($"{where} has RLE counts that are neither a list nor a string"),
                };
                return RleBounds(runs, width, height, where);
            default:
                throw DomainException.InvalidArgument($"{where} has a segmentation that is neither polygons nor RLE");
        }
    }

    private static (float, float, float, float)? PolygonBounds(JsonElement polygons, string where)
    {
        float xMin = float.MaxValue, yMin = float.MaxValue, xMax = float.MinValue, yMax = float.MinValue;
        var any = false;
        foreach (var polygon in polygons.EnumerateArray())
        {
            if (polygon.ValueKind != JsonValueKind.Array || polygon.GetArrayLength() % 2 != 0 || polygon.GetArrayLength() < 6)
            {
                throw DomainException.InvalidArgument($"{where} has a polygon that is not a list of at least three x, y pairs");
            }
            var i = 0;
            foreach (var value in polygon.EnumerateArray())
            {
                if (value.ValueKind != JsonValueKind.Number)
                {
                    throw DomainException.InvalidArgument($"{where} has a polygon with a non-number coordinate");
                }
                var v = value.GetSingle();
                if (i++ % 2 == 0)
                {
                    xMin = Math.Min(xMin, v);
                    xMax = Math.Max(xMax, v);
                }
                else
                {
                    yMin = Math.Min(yMin, v);
                    yMax = Math.Max(yMax, v);
                }
                any = true;
            }
        }
        return any ? (xMin, yMin, xMax, yMax) : null;
    }

    /// <summary>RLE counts alternate background and foreground runs, column-major (Fortran order), starting with background.</summary>
    private static (float, float, float, float)? RleBounds(List<long> runs, int width, int height, string where)
    {
        if (runs.Any(r => r < 0) || runs.Sum() != (long)width * height)
        {
            throw DomainException.InvalidArgument($"{where} has RLE counts that do not add up to its size {height}x{width}");
        }
        long position = 0;
        int xMin = int.MaxValue, yMin = int.MaxValue, xMax = -1, yMax = -1;
        for (var i = 0; i < runs.Count; i++)
        {
            if (i % 2 == 1 && runs[i] > 0)
            {
                var first = position;
                var last = position + runs[i] - 1;
                int x0 = (int)(first / height), x1 = (int)(last / height);
                xMin = Math.Min(xMin, x0);
                xMax = Math.Max(xMax, x1);
                if (x0 == x1)
                {
                    yMin = Math.Min(yMin, (int)(first % height));
                    yMax = Math.Max(yMax, (int)(last % height));
                }
                else
                {
                    // The run wraps into the next column: it touches both the top and the bottom rows.
                    yMin = 0;
                    yMax = height - 1;
                }
            }
            position += runs[i];
        }
        return xMax < 0 ? null : (xMin, yMin, xMax + 1, yMax + 1);
    }

    /// <summary>COCO's compressed RLE string (pycocotools rleToString): 5-bit groups with a continuation bit, deltas from the run two back.</summary>
    public static List<long> DecodeCompressedCounts(string s, string where)
    {
        var counts = new List<long>();
        var p = 0;
        while (p < s.Length)
        {
            long x = 0;
            var k = 0;
            var more = true;
            while (more)
            {
                if (p >= s.Length)
                {
                    throw DomainException.InvalidArgument($"{where} has a compressed RLE string that ends mid-number");
                }
                long c = s[p] - 48;
                if (c is < 0 or > 63)
                {
                    throw DomainException.InvalidArgument($"{where} has a compressed RLE string with an invalid character");
                }
                x |= (c & 0x1f) << (5 * k);
                more = (c & 0x20) != 0;
                p++;
                k++;
                if (!more && (c & 0x10) != 0)
                {
                    x |= -1L << (5 * k);
                }
            }
            if (counts.Count > 2)
            {
                x += counts[^2];
            }
            counts.Add(x);
        }
        return counts;
    }
}

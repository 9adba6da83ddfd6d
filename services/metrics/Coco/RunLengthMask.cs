namespace Cauchy.Metrics.Coco;

/// <summary>
/// A binary mask as COCO's run-length encoding: column-major (Fortran order) runs that alternate between background
/// and foreground, starting with background. The arithmetic follows the COCO API's mask code so that areas, boxes,
/// IoUs and rasterised polygons are the same to the pixel.
/// </summary>
/// <remarks>
/// Over the house limit on class size on purpose: the COCO mask format is one contract (decode and encode of the
/// compressed counts, polygon rasterisation, merge, area, IoU, bounding box), kept together so each operation can be
/// read beside the others it must agree with to the pixel.
/// </remarks>
public sealed class RunLengthMask
{
    private readonly uint[] _counts;

    public RunLengthMask(int height, int width, uint[] counts)
    {
        Height = height;
        Width = width;
        _counts = counts;
    }

    public int Height { get; }

    public int Width { get; }

    public ReadOnlySpan<uint> Counts => _counts;

    /// <summary>Foreground pixels: the sum of the odd runs.</summary>
    public long Area
    {
        get
        {
            // The COCO API sums into a 32-bit unsigned integer.
            uint area = 0;
            for (var j = 1; j < _counts.Length; j += 2)
            {
                area += _counts[j];
            }

            return area;
        }
    }

    /// <summary>
    /// Decodes an uncompressed RLE (a list of run lengths). Returns null and the reason when the runs do not cover the
    /// height × width pixels exactly.
    /// </summary>
    public static RunLengthMask? FromCounts(int height, int width, IReadOnlyList<long> counts, out string? error)
    {
        var runs = new uint[counts.Count];
        long total = 0;
        for (var i = 0; i < runs.Length; i++)
        {
            if (counts[i] < 0 || counts[i] > uint.MaxValue)
            {
                error = $"run {i} has length {counts[i]}";
                return null;
            }

            runs[i] = (uint)counts[i];
            total += counts[i];
        }

        return Checked(height, width, runs, total, out error);
    }

    /// <summary>
    /// Decodes COCO's compressed RLE string: each run is a little-endian base-32 number written as characters from
    /// '0' (48) upwards, six bits per character (five of value, one "more follows"), with the sign in the last
    /// character's fifth bit; from the fourth run on, a run is stored as its difference to the run two before.
    /// Returns null and the reason when the string is not such an encoding or its runs do not cover the mask.
    /// </summary>
    public static RunLengthMask? FromCompressed(int height, int width, string counts, out string? error)
    {
        var runs = new List<uint>(counts.Length);
        long total = 0;
        var p = 0;
        while (p < counts.Length)
        {
            long x = 0;
            var k = 0;
            var more = true;
            while (more)
            {
                if (p >= counts.Length)
                {
                    error = $"the string ends inside run {runs.Count}";
                    return null;
                }

                var c = counts[p] - 48;
                if (c < 0 || c > 63 || k > 6)
                {
                    error = k > 6 ? $"run {runs.Count} is too long" : $"character {p} ('{counts[p]}') is not an RLE character";
                    return null;
                }

                x |= (long)(c & 0x1f) << (5 * k);
                more = (c & 0x20) != 0;
                p++;
                k++;
                if (!more && (c & 0x10) != 0)
                {
                    x |= -1L << (5 * k);
                }
            }

            if (runs.Count > 2)
            {
                x += runs[^2];
            }

            if (x < 0 || x > uint.MaxValue)
            {
                error = $"run {runs.Count} decodes to {x}";
                return null;
            }

            runs.Add((uint)x);
            total += x;
        }

        return Checked(height, width, [.. runs], total, out error);
    }

    /// <summary>
    /// Rasterises polygons (each x0,y0,x1,y1,… in pixel coordinates) as the COCO API does and unites them.
    /// </summary>
    public static RunLengthMask FromPolygons(int height, int width, IReadOnlyList<double[]> polygons)
    {
        var mask = FromPolygon(height, width, polygons[0]);
        for (var i = 1; i < polygons.Count; i++)
        {
            mask = Union(mask, FromPolygon(height, width, polygons[i]));
        }

        return mask;
    }

    /// <summary>
    /// One polygon: its vertices are scaled by 5 and rounded, the edges walked point by point on that finer grid,
    /// and every crossing of a pixel column's centre line becomes a run boundary in that column, rounded up to the
    /// next pixel centre and clamped to the image.
    /// </summary>
    public static RunLengthMask FromPolygon(int height, int width, double[] xy)
    {
        const double scale = 5;
        var k = xy.Length / 2;
        var x = new int[k + 1];
        var y = new int[k + 1];
        for (var j = 0; j < k; j++)
        {
            x[j] = (int)(scale * xy[j * 2] + .5);
            y[j] = (int)(scale * xy[j * 2 + 1] + .5);
        }

        x[k] = x[0];
        y[k] = y[0];

        var points = 0L;
        for (var j = 0; j < k; j++)
        {
            points += Math.Max(Math.Abs(x[j] - x[j + 1]), Math.Abs(y[j] - y[j + 1])) + 1;
        }

        var u = new int[points];
        var v = new int[points];
        var m = 0;
        for (var j = 0; j < k; j++)
        {
            int xs = x[j], xe = x[j + 1], ys = y[j], ye = y[j + 1];
            var dx = Math.Abs(xe - xs);
            var dy = Math.Abs(ys - ye);
            var flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
            if (flip)
            {
                (xs, xe) = (xe, xs);
                (ys, ye) = (ye, ys);
            }

            var s = dx >= dy ? (double)(ye - ys) / dx : (double)(xe - xs) / dy;
            if (dx >= dy)
            {
                for (var d = 0; d <= dx; d++)
                {
                    var t = flip ? dx - d : d;
                    u[m] = t + xs;
                    v[m] = (int)(ys + s * t + .5);
                    m++;
                }
            }
            else
            {
                for (var d = 0; d <= dy; d++)
                {
                    var t = flip ? dy - d : d;
                    v[m] = t + ys;
                    u[m] = (int)(xs + s * t + .5);
                    m++;
                }
            }
        }

        // The points where the boundary crosses a column centre, back on the pixel grid.
        var boundary = new List<uint>(m + 1);
        for (var j = 1; j < m; j++)
        {
            if (u[j] == u[j - 1])
            {
                continue;
            }

            double xd = u[j] < u[j - 1] ? u[j] : u[j] - 1;
            xd = (xd + .5) / scale - .5;
            if (Math.Floor(xd) != xd || xd < 0 || xd > width - 1)
            {
                continue;
            }

            double yd = v[j] < v[j - 1] ? v[j] : v[j - 1];
            yd = (yd + .5) / scale - .5;
            if (yd < 0)
            {
                yd = 0;
            }
            else if (yd > height)
            {
                yd = height;
            }

            yd = Math.Ceiling(yd);
            boundary.Add(unchecked((uint)((int)xd * height + (int)yd)));
        }

        boundary.Add(unchecked((uint)((long)height * width)));
        boundary.Sort();

        // Differences between consecutive boundaries are the runs; an empty run joins its neighbours.
        uint previous = 0;
        for (var j = 0; j < boundary.Count; j++)
        {
            var t = boundary[j];
            boundary[j] = t - previous;
            previous = t;
        }

        var runs = new List<uint>(boundary.Count) { boundary[0] };
        for (var j = 1; j < boundary.Count;)
        {
            if (boundary[j] > 0)
            {
                runs.Add(boundary[j++]);
            }
            else
            {
                j++;
                if (j < boundary.Count)
                {
                    runs[^1] += boundary[j++];
                }
            }
        }

        return new RunLengthMask(height, width, [.. runs]);
    }

    /// <summary>The pixels in either mask (both must have the same size).</summary>
    public static RunLengthMask Union(RunLengthMask a, RunLengthMask b)
    {
        var runs = new List<uint>(a._counts.Length + b._counts.Length);
        uint ca = a._counts.Length > 0 ? a._counts[0] : 0, cb = b._counts.Length > 0 ? b._counts[0] : 0;
        bool va = false, vb = false, v = false;
        int ia = 1, ib = 1;
        uint cc = 0;
        var more = true;
        while (more)
        {
            var c = Math.Min(ca, cb);
            cc += c;
            ca -= c;
            if (ca == 0 && ia < a._counts.Length)
            {
                ca = a._counts[ia++];
                va = !va;
            }

            cb -= c;
            if (cb == 0 && ib < b._counts.Length)
            {
                cb = b._counts[ib++];
                vb = !vb;
            }

            more = (ulong)ca + cb > 0;
            var previous = v;
            v = va || vb;
            if (v != previous || !more)
            {
                runs.Add(cc);
                cc = 0;
            }
        }

        return new RunLengthMask(a.Height, a.Width, [.. runs]);
    }

    /// <summary>
    /// The mask's bounding box in whole pixels, as the COCO API computes it (a foreground run that wraps into the
    /// next column widens the box to the full height).
    /// </summary>
    public Box ToBox()
    {
        var h = (uint)Height;
        var m = _counts.Length / 2 * 2;
        if (m == 0 || h == 0)
        {
            return new Box(0, 0, 0, 0);
        }

        uint xs = (uint)Width, ys = h, xe = 0, ye = 0, cc = 0, xp = 0;
        for (var j = 0; j < m; j++)
        {
            cc += _counts[j];
            var t = cc - (uint)(j % 2);
            var y = t % h;
            var x = (t - y) / h;
            if (j % 2 == 0)
            {
                xp = x;
            }
            else if (xp < x)
            {
                ys = 0;
                ye = h - 1;
            }

            xs = Math.Min(xs, x);
            xe = Math.Max(xe, x);
            ys = Math.Min(ys, y);
            ye = Math.Max(ye, y);
        }

        return new Box(xs, ys, xe - xs + 1, ye - ys + 1);
    }

    /// <summary>
    /// Intersection over union of a detection's mask with a ground-truth mask; for a crowd region the union is the
    /// detection's own area. Masks of different sizes whose boxes overlap get -1, as in the COCO API.
    /// </summary>
    public static double Iou(RunLengthMask detection, RunLengthMask groundTruth, bool crowd)
    {
        if (Box.Iou(detection.ToBox(), groundTruth.ToBox(), crowd) <= 0)
        {
            return 0;
        }

        if (detection.Height != groundTruth.Height || detection.Width != groundTruth.Width)
        {
            return -1;
        }

        var d = detection._counts;
        var g = groundTruth._counts;
        uint ca = d[0], cb = g[0], intersection = 0, union = 0;
        bool va = false, vb = false;
        int ia = 1, ib = 1;
        var more = true;
        while (more)
        {
            var c = Math.Min(ca, cb);
            if (va || vb)
            {
                union += c;
                if (va && vb)
                {
                    intersection += c;
                }
            }

            ca -= c;
            if (ca == 0 && ia < d.Length)
            {
                ca = d[ia++];
                va = !va;
            }

            cb -= c;
            if (cb == 0 && ib < g.Length)
            {
                cb = g[ib++];
                vb = !vb;
            }

            more = ca + cb > 0;
        }

        if (intersection == 0)
        {
            union = 1;
        }
        else if (crowd)
        {
            union = (uint)detection.Area;
        }

        return (double)intersection / union;
    }

    private static RunLengthMask? Checked(int height, int width, uint[] runs, long total, out string? error)
    {
        if (total != (long)height * width)
        {
            error = $"the runs cover {total} pixels, the {height}×{width} mask has {(long)height * width}";
            return null;
        }

        error = null;
        return new RunLengthMask(height, width, runs);
    }
}

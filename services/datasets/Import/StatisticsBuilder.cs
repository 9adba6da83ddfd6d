using Cauchy.V1;

namespace Cauchy.Datasets.Import;

/// <summary>
/// Accumulates the statistics of a version, split by split, as samples go into shards: class histogram, image
/// sizes and channel counts, box-size buckets, and per-channel pixel mean and standard deviation (over the samples
/// whose pixels import decoded: RAW and PNG; a split with a JPEG or interlaced PNG in it reports no mean/std).
/// </summary>
public sealed class StatisticsBuilder(IReadOnlyList<string> classNames, TaskType taskType)
{
    private readonly Dictionary<Split, SplitAccumulator> _splits = [];

    /// <summary>Adds one accepted sample. <paramref name="pixels"/> are the pixel sums of the image, when decoded.</summary>
    public void Add(Sample sample, PixelSums? pixels, long[]? maskClassPixels)
    {
        if (!_splits.TryGetValue(sample.Split, out var split))
        {
            _splits[sample.Split] = split = new SplitAccumulator(classNames.Count);
        }
        split.Count++;
        split.MinWidth = Math.Min(split.MinWidth, sample.Width);
        split.MaxWidth = Math.Max(split.MaxWidth, sample.Width);
        split.SumWidth += sample.Width;
        split.MinHeight = Math.Min(split.MinHeight, sample.Height);
        split.MaxHeight = Math.Max(split.MaxHeight, sample.Height);
        split.SumHeight += sample.Height;
        split.Channels[sample.Channels] = split.Channels.GetValueOrDefault(sample.Channels) + 1;

        switch (taskType)
        {
            case TaskType.Classification:
                split.SampleCounts[sample.ClassId]++;
                split.InstanceCounts[sample.ClassId]++;
                break;
            case TaskType.Detection:
                var seen = new HashSet<int>();
                foreach (var box in sample.Detection.Boxes)
                {
                    split.InstanceCounts[box.ClassId]++;
                    if (seen.Add(box.ClassId))
                    {
                        split.SampleCounts[box.ClassId]++;
                    }
                    var area = (box.Box.XMax - box.Box.XMin) * (box.Box.YMax - box.Box.YMin);
                    if (area < 32 * 32)
                    {
                        split.Small++;
                    }
                    else if (area < 96 * 96)
                    {
                        split.Medium++;
                    }
                    else
                    {
                        split.Large++;
                    }
                }
                break;
            case TaskType.Segmentation when maskClassPixels is not null:
                for (var c = 0; c < classNames.Count; c++)
                {
                    if (maskClassPixels[c] > 0)
                    {
                        split.InstanceCounts[c] += maskClassPixels[c];
                        split.SampleCounts[c]++;
                    }
                }
                break;
        }

        if (pixels is null)
        {
            split.PixelsComplete = false;
        }
        else if (split.PixelsComplete)
        {
            split.Pixels ??= new PixelSums(pixels.Channels);
            if (split.Pixels.Channels != pixels.Channels)
            {
                split.PixelsComplete = false;
            }
            else
            {
                split.Pixels.Add(pixels);
            }
        }
    }

    public DatasetStatistics Build(string datasetId, string versionId)
    {
        var result = new DatasetStatistics { DatasetId = datasetId, VersionId = versionId };
        foreach (var (split, a) in _splits.OrderBy(p => p.Key))
        {
            var stats = new SplitStatistics
            {
                Split = split,
                SampleCount = a.Count,
                ImageSizes = new ImageSizeStatistics
                {
                    MinWidth = a.MinWidth,
                    MaxWidth = a.MaxWidth,
                    MeanWidth = (double)a.SumWidth / a.Count,
                    MinHeight = a.MinHeight,
                    MaxHeight = a.MaxHeight,
                    MeanHeight = (double)a.SumHeight / a.Count,
                },
                SmallBoxCount = a.Small,
                MediumBoxCount = a.Medium,
                LargeBoxCount = a.Large,
            };
            foreach (var (channels, count) in a.Channels)
            {
                stats.ImageSizes.ChannelHistogram[channels] = count;
            }
            for (var c = 0; c < classNames.Count; c++)
            {
                stats.ClassHistogram.Add(new ClassCount
                {
                    ClassId = c,
                    ClassName = classNames[c],
                    SampleCount = a.SampleCounts[c],
                    InstanceCount = a.InstanceCounts[c],
                });
            }
            if (a.PixelsComplete && a.Pixels is { Count: > 0 } p)
            {
                for (var c = 0; c < p.Channels; c++)
                {
                    var mean = p.Sum[c] / p.Count / 255.0;
                    var meanSquare = p.SumSquares[c] / p.Count / (255.0 * 255.0);
                    stats.PixelMean.Add(mean);
                    stats.PixelStd.Add(Math.Sqrt(Math.Max(0, meanSquare - (mean * mean))));
                }
            }
            result.Splits.Add(stats);
        }
        return result;
    }

    private sealed class SplitAccumulator(int classCount)
    {
        public long Count;
        public int MinWidth = int.MaxValue, MaxWidth, MinHeight = int.MaxValue, MaxHeight;
        public long SumWidth, SumHeight, Small, Medium, Large;
        public readonly Dictionary<int, long> Channels = [];
        public readonly long[] SampleCounts = new long[classCount];
        public readonly long[] InstanceCounts = new long[classCount];
        public bool PixelsComplete = true;
        public PixelSums? Pixels;
    }
}

/// <summary>Per-channel sums of 8-bit pixel values and their squares, over <see cref="Count"/> pixels.</summary>
public sealed class PixelSums(int channels)
{
    public int Channels { get; } = channels;

    public double[] Sum { get; } = new double[channels];

    public double[] SumSquares { get; } = new double[channels];

    public long Count { get; private set; }

    /// <summary>Sums interleaved 8-bit pixels (height x width x channels).</summary>
    public static PixelSums Of(ReadOnlySpan<byte> pixels, int channels)
    {
        var result = new PixelSums(channels);
        var sum = new long[channels];
        var squares = new long[channels];
        for (var i = 0; i < pixels.Length; i++)
        {
            int v = pixels[i];
            sum[i % channels] += v;
            squares[i % channels] += v * v;
        }
        for (var c = 0; c < channels; c++)
        {
            result.Sum[c] = sum[c];
            result.SumSquares[c] = squares[c];
        }
        result.Count = pixels.Length / channels;
        return result;
    }

    public void Add(PixelSums other)
    {
        for (var c = 0; c < Channels; c++)
        {
            Sum[c] += other.Sum[c];
            SumSquares[c] += other.SumSquares[c];
        }
        Count += other.Count;
    }
}

using System.Runtime.CompilerServices;
using Cauchy.Torch.Data;
using Xunit;

namespace Cauchy.Torch.Tests;

public class DataLoaderTests
{
    [Theory]
    [InlineData(false, 11)]
    [InlineData(true, 10)]
    public void Epoch_YieldsEverySampleOnce_InShuffledBatches(bool dropLast, int batches)
    {
        var loader = new DataLoader<ImageSample>(Samples(103), s => s, new DataLoaderOptions { BatchSize = 10, DropLast = dropLast, Seed = 1, Workers = 3 });

        List<long[]> labels = Labels(loader.Epoch(0));

        Assert.Equal(batches, labels.Count);
        Assert.Equal(batches, loader.BatchesPerEpoch);
        long[] all = labels.SelectMany(l => l).ToArray();
        Assert.Equal(all.Length, all.Distinct().Count());
        Assert.Equal(dropLast ? 100 : 103, all.Length);
        Assert.NotEqual(Enumerable.Range(0, all.Length).Select(i => (long)i), all);
        if (!dropLast)
        {
            Assert.Equal(3, labels[^1].Length);
        }
    }

    [Fact]
    public void SameSeedAndEpoch_GiveTheSameBatches_WhateverTheWorkerCount()
    {
        var augmentation = new Augmentation { CropPadding = 2, HorizontalFlip = true, Mean = [0.5f], Std = [0.25f] };
        var one = new DataLoader<ImageSample>(Samples(40), s => s, new DataLoaderOptions { BatchSize = 8, Seed = 7, Workers = 1, Augmentation = augmentation });
        var four = new DataLoader<ImageSample>(Samples(40), s => s, new DataLoaderOptions { BatchSize = 8, Seed = 7, Workers = 4, Prefetch = 2, Augmentation = augmentation });

        List<(long[] Labels, float[] Images)> a = Contents(one.Epoch(2));
        List<(long[] Labels, float[] Images)> b = Contents(four.Epoch(2));
        List<(long[] Labels, float[] Images)> otherEpoch = Contents(one.Epoch(3));

        Assert.Equal(a.Select(x => x.Labels), b.Select(x => x.Labels));
        Assert.Equal(a.Select(x => x.Images), b.Select(x => x.Images));
        Assert.NotEqual(a.Select(x => x.Labels), otherEpoch.Select(x => x.Labels));
    }

    [Fact]
    public void StartBatch_ResumesMidEpochExactly()
    {
        var options = new DataLoaderOptions { BatchSize = 4, Seed = 3, Augmentation = new Augmentation { CropPadding = 1, HorizontalFlip = true } };
        var loader = new DataLoader<ImageSample>(Samples(30), s => s, options);

        List<(long[] Labels, float[] Images)> full = Contents(loader.Epoch(5));
        List<(long[] Labels, float[] Images)> tail = Contents(loader.Epoch(5, startBatch: 3));

        Assert.Equal(full.Skip(3).Select(x => x.Labels), tail.Select(x => x.Labels));
        Assert.Equal(full.Skip(3).Select(x => x.Images), tail.Select(x => x.Images));
    }

    [Fact]
    public void StreamedSource_IsShuffledDeterministically_AndCoversEverySample()
    {
        ImageSample[] samples = Samples(57);
        var options = new DataLoaderOptions { BatchSize = 5, Seed = 9, ShuffleBuffer = 16 };
        var loader = new DataLoader<ImageSample>(cancel => Stream(samples, cancel), s => s, options);

        long[] first = Labels(loader.Epoch(1)).SelectMany(l => l).ToArray();
        long[] again = Labels(loader.Epoch(1)).SelectMany(l => l).ToArray();
        long[] resumed = Labels(loader.Epoch(1, startBatch: 4)).SelectMany(l => l).ToArray();

        Assert.Null(loader.BatchesPerEpoch);
        Assert.Equal(57, first.Distinct().Count());
        Assert.Equal(57, first.Length);
        Assert.Equal(first, again);
        Assert.NotEqual(samples.Select(s => s.Label), first);
        Assert.Equal(first.Skip(20), resumed);
    }

    [Fact]
    public void RandomCrop_ShowsAZeroPaddedWindow_AndEveryOffsetOccurs()
    {
        // A 3x3 grey image with values 10..90; padding 1 allows offsets -1..1 in each direction.
        byte[] pixels = Enumerable.Range(1, 9).Select(v => (byte)(v * 10)).ToArray();
        ImageSample[] copies = Enumerable.Range(0, 300).Select(i => new ImageSample(pixels, 3, 3, 1, i)).ToArray();
        var loader = new DataLoader<ImageSample>(copies, s => s, new DataLoaderOptions { BatchSize = 50, Seed = 2, Augmentation = new Augmentation { CropPadding = 1 } });

        var seen = new HashSet<(int, int)>();
        foreach ((long[] _, float[] images) in Contents(loader.Epoch(0)))
        {
            for (int n = 0; n < images.Length / 9; n++)
            {
                float[] output = images.AsSpan(n * 9, 9).ToArray();
                (int, int)? offset = null;
                for (int dy = -1; dy <= 1 && offset is null; dy++)
                {
                    for (int dx = -1; dx <= 1 && offset is null; dx++)
                    {
                        if (output.SequenceEqual(Window(pixels, 3, dy, dx, flip: false)))
                        {
                            offset = (dy, dx);
                        }
                    }
                }

                Assert.True(offset is not null, $"output [{string.Join(", ", output)}] is no zero-padded window of the input");
                seen.Add(offset.Value);
            }
        }

        Assert.Equal(9, seen.Count);
    }

    [Fact]
    public void HorizontalFlip_MirrorsRowsAboutHalfTheTime()
    {
        byte[] pixels = [10, 20, 30, 40, 50, 60];
        ImageSample[] copies = Enumerable.Range(0, 200).Select(i => new ImageSample(pixels, 2, 3, 1, i)).ToArray();
        var loader = new DataLoader<ImageSample>(copies, s => s, new DataLoaderOptions { BatchSize = 200, Seed = 4, Augmentation = new Augmentation { HorizontalFlip = true } });

        float[] images = Contents(loader.Epoch(0)).Single().Images;
        float[] plain = Window(pixels, 3, 0, 0, flip: false, height: 2);
        float[] mirrored = Window(pixels, 3, 0, 0, flip: true, height: 2);
        int flips = 0;
        for (int n = 0; n < 200; n++)
        {
            float[] output = images.AsSpan(n * 6, 6).ToArray();
            bool isPlain = output.SequenceEqual(plain);
            bool isMirrored = output.SequenceEqual(mirrored);
            Assert.True(isPlain || isMirrored, $"image {n} is neither the input nor its mirror");
            flips += isMirrored ? 1 : 0;
        }

        Assert.InRange(flips, 60, 140);
    }

    [Fact]
    public void Normalisation_IsPerChannel_AfterScalingToUnitRange()
    {
        // One 1x2 RGB image: channel planes come out as [C, H, W].
        byte[] pixels = [0, 51, 255, 102, 204, 153];
        float[] mean = [0.5f, 0.25f, 0.125f];
        float[] std = [0.5f, 0.2f, 0.1f];
        var loader = new DataLoader<ImageSample>(
            [new ImageSample(pixels, 1, 2, 3, 0)], s => s, new DataLoaderOptions { BatchSize = 1, Augmentation = new Augmentation { Mean = mean, Std = std } });

        using Batch batch = loader.Epoch(0).Single();

        Assert.Equal([1L, 3L, 1L, 2L], batch.images.shape);
        float[] expected = new float[6];
        for (int c = 0; c < 3; c++)
        {
            for (int x = 0; x < 2; x++)
            {
                expected[(c * 2) + x] = ((pixels[(x * 3) + c] / 255f) - mean[c]) / std[c];
            }
        }

        Assert.Equal(expected, batch.images.ToArray<float>());
    }

    [Fact]
    public void Workers_PrepareBatchesAhead_WhileTheConsumerHoldsOne()
    {
        int converted = 0;
        var loader = new DataLoader<ImageSample>(Samples(200), s =>
        {
            Interlocked.Increment(ref converted);
            return s;
        }, new DataLoaderOptions { BatchSize = 10, Prefetch = 3, Workers = 2 });

        using IEnumerator<Batch> batches = loader.Epoch(0).GetEnumerator();
        Assert.True(batches.MoveNext());
        using Batch first = batches.Current;

        // Without another MoveNext, the workers fill the prefetch queue in the background.
        DateTime deadline = DateTime.UtcNow.AddSeconds(60);
        while (Volatile.Read(ref converted) < 10 * 4 && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(10);
        }

        Assert.True(Volatile.Read(ref converted) >= 40, $"only {converted} samples were prepared ahead");
        Assert.True(Volatile.Read(ref converted) < 200, "the prefetch queue should bound how far the workers run ahead");
    }

    [Fact]
    public void MixedImageSizes_FailWithAMessage_AndLeavingEarlyDoesNotHang()
    {
        ImageSample[] samples = [.. Samples(4), new ImageSample(new byte[9], 3, 3, 1, 99)];
        var loader = new DataLoader<ImageSample>(samples, s => s, new DataLoaderOptions { BatchSize = 5, Shuffle = false });

        var error = Assert.Throws<InvalidDataException>(() => Labels(loader.Epoch(0)));
        Assert.Contains("resize images to one size", error.Message);

        var many = new DataLoader<ImageSample>(Samples(500), s => s, new DataLoaderOptions { BatchSize = 2, Prefetch = 2 });
        using Batch only = many.Epoch(0).First();
        Assert.Equal([2L], only.labels.shape);
    }

    private static float[] Window(byte[] pixels, int width, int dy, int dx, bool flip, int height = 3)
    {
        var result = new float[height * width];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int sx = (flip ? width - 1 - x : x) + dx;
                int sy = y + dy;
                result[(y * width) + x] = sy >= 0 && sy < height && sx >= 0 && sx < width ? pixels[(sy * width) + sx] / 255f : 0f;
            }
        }

        return result;
    }

    // 2x2 grey images whose label is their index; pixel values derive from it so images differ.
    private static ImageSample[] Samples(int count) =>
        Enumerable.Range(0, count).Select(i => new ImageSample([(byte)i, (byte)(i * 3), (byte)(i * 7), (byte)(255 - i)], 2, 2, 1, i)).ToArray();

    private static async IAsyncEnumerable<ImageSample> Stream(ImageSample[] samples, [EnumeratorCancellation] CancellationToken cancel)
    {
        foreach (ImageSample sample in samples)
        {
            cancel.ThrowIfCancellationRequested();
            await Task.Yield();
            yield return sample;
        }
    }

    private static List<long[]> Labels(IEnumerable<Batch> batches) => Contents(batches).Select(c => c.Labels).ToList();

    private static List<(long[] Labels, float[] Images)> Contents(IEnumerable<Batch> batches)
    {
        var result = new List<(long[], float[])>();
        foreach (Batch batch in batches)
        {
            using (batch)
            {
                result.Add((batch.labels.ToArray<long>(), batch.images.ToArray<float>()));
            }
        }

        return result;
    }
}

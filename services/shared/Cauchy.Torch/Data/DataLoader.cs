using System.Threading.Channels;

namespace Cauchy.Torch.Data;

/// <summary>
/// Batches labelled images for training: a seeded, per-epoch shuffle (in-memory sources get a full permutation,
/// streamed ones a seeded shuffle buffer), batching, and augmentation on background workers that stay up to
/// <see cref="DataLoaderOptions.Prefetch"/> batches ahead of the training loop. Every random draw comes from
/// (seed, epoch, batch index), never from thread timing, so the same epoch always yields the same batches, and
/// <see cref="Epoch(int, int)"/> with a start batch resumes mid-epoch exactly.
/// </summary>
/// <typeparam name="TSample">The stored sample; <c>toImage</c> turns it into pixels on a worker (e.g. decoding).</typeparam>
public sealed class DataLoader<TSample>
{
    private readonly IReadOnlyList<TSample>? samples;
    private readonly Func<CancellationToken, IAsyncEnumerable<TSample>>? openStream;
    private readonly Func<TSample, ImageSample> toImage;

    /// <summary>A loader over samples held in memory.</summary>
    public DataLoader(IReadOnlyList<TSample> samples, Func<TSample, ImageSample> toImage, DataLoaderOptions options)
        : this(toImage, options)
    {
        this.samples = samples ?? throw new ArgumentNullException(nameof(samples));
    }

    /// <summary>A loader over a stream that is opened afresh for every epoch and must yield the same samples in the same order each time.</summary>
    public DataLoader(Func<CancellationToken, IAsyncEnumerable<TSample>> openStream, Func<TSample, ImageSample> toImage, DataLoaderOptions options)
        : this(toImage, options)
    {
        this.openStream = openStream ?? throw new ArgumentNullException(nameof(openStream));
    }

    private DataLoader(Func<TSample, ImageSample> toImage, DataLoaderOptions options)
    {
        this.toImage = toImage ?? throw new ArgumentNullException(nameof(toImage));
        Options = options ?? throw new ArgumentNullException(nameof(options));
        if (options.BatchSize < 1 || options.Workers < 1 || options.Prefetch < 1 || options.ShuffleBuffer < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "BatchSize, Workers, Prefetch and ShuffleBuffer must be at least 1");
        }
    }

    public DataLoaderOptions Options { get; }

    /// <summary>Batches per epoch for an in-memory source; null for a stream (its length is unknown).</summary>
    public int? BatchesPerEpoch => samples is null
        ? null
        : Options.DropLast ? samples.Count / Options.BatchSize : (samples.Count + Options.BatchSize - 1) / Options.BatchSize;

    /// <summary>
    /// The batches of <paramref name="epoch"/>, from <paramref name="startBatch"/> on. Enumerate on the training
    /// thread and dispose each batch; leaving the loop early stops the workers and frees what they prepared.
    /// </summary>
    public IEnumerable<Batch> Epoch(int epoch, int startBatch = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        ArgumentOutOfRangeException.ThrowIfNegative(startBatch);
        return Run(epoch, startBatch);
    }

    /// <summary>Batches from <paramref name="start"/> on, epoch after epoch, without end (break out when done).</summary>
    public IEnumerable<Batch> From(LoaderPosition start)
    {
        ArgumentNullException.ThrowIfNull(start);
        for (int epoch = start.Epoch; ; epoch++)
        {
            bool any = false;
            foreach (Batch batch in Epoch(epoch, epoch == start.Epoch ? start.Batch : 0))
            {
                any = true;
                yield return batch;
            }

            if (!any && epoch != start.Epoch)
            {
                yield break;
            }
        }
    }

    private IEnumerable<Batch> Run(int epoch, int startBatch)
    {
        var channel = Channel.CreateBounded<Task<Batch>>(new BoundedChannelOptions(Options.Prefetch)
        {
            SingleReader = true,
            SingleWriter = true,
        });
        using var cancellation = new CancellationTokenSource();
        // Not disposed: a build task abandoned by an early exit may still release it after this method returns
        // (a SemaphoreSlim whose wait handle is never used holds nothing that needs disposing).
        var workers = new SemaphoreSlim(Options.Workers);
        Task producer = Task.Run(() => ProduceAsync(epoch, startBatch, channel.Writer, workers, cancellation.Token));
        try
        {
            while (channel.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
            {
                while (channel.Reader.TryRead(out Task<Batch>? pending))
                {
                    yield return pending.GetAwaiter().GetResult();
                }
            }

            producer.GetAwaiter().GetResult();
        }
        finally
        {
            // Early exit or failure: stop producing, then free every batch already prepared or in preparation.
            cancellation.Cancel();
            try
            {
                producer.Wait();
            }
            catch (AggregateException)
            {
            }

            while (channel.Reader.TryRead(out Task<Batch>? leftover))
            {
                try
                {
                    leftover.GetAwaiter().GetResult().Dispose();
                }
                catch (Exception)
                {
                    // The consumer has stopped; a batch that failed to build has nothing to free.
                }
            }
        }
    }

    private async Task ProduceAsync(int epoch, int startBatch, ChannelWriter<Task<Batch>> writer, SemaphoreSlim workers, CancellationToken cancel)
    {
        Exception? failure = null;
        try
        {
            int index = 0;
            await foreach (TSample[] group in Groups(epoch, cancel).ConfigureAwait(false))
            {
                if (index >= startBatch)
                {
                    await workers.WaitAsync(cancel).ConfigureAwait(false);
                    int batchIndex = index;
                    Task<Batch> build = Task.Run(
                        () =>
                        {
                            try
                            {
                                var images = new ImageSample[group.Length];
                                for (int i = 0; i < group.Length; i++)
                                {
                                    images[i] = toImage(group[i]);
                                }

                                return BatchBuilder.Build(images, Options.Augmentation, DeterministicRandom.For(Options.Seed, epoch, batchIndex, 1), epoch, batchIndex);
                            }
                            finally
                            {
                                workers.Release();
                            }
                        },
                        CancellationToken.None);
                    try
                    {
                        await writer.WriteAsync(build, cancel).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        // The consumer left: nobody will take this batch, so free it once it is built.
                        _ = build.ContinueWith(t => t.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
                        throw;
                    }
                }

                index++;
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // A failing source ends the epoch with its error, delivered after the batches before it.
            failure = e;
        }

        if (failure is not null)
        {
            try
            {
                await writer.WriteAsync(Task.FromException<Batch>(failure), cancel).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The consumer has already stopped; there is no one to report to.
            }
        }

        writer.Complete();
    }

    // The epoch's samples grouped into batches, in the epoch's order.
    private async IAsyncEnumerable<TSample[]> Groups(int epoch, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancel)
    {
        int size = Options.BatchSize;
        var current = new List<TSample>(size);
        await foreach (TSample sample in Ordered(epoch, cancel).ConfigureAwait(false))
        {
            current.Add(sample);
            if (current.Count == size)
            {
                yield return current.ToArray();
                current.Clear();
            }
        }

        if (current.Count > 0 && !Options.DropLast)
        {
            yield return current.ToArray();
        }
    }

    private async IAsyncEnumerable<TSample> Ordered(int epoch, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancel)
    {
        DeterministicRandom order = DeterministicRandom.For(Options.Seed, epoch, 0);
        if (samples is not null)
        {
            int[] indices = Options.Shuffle ? order.Permutation(samples.Count) : Enumerable.Range(0, samples.Count).ToArray();
            foreach (int i in indices)
            {
                cancel.ThrowIfCancellationRequested();
                yield return samples[i];
            }

            yield break;
        }

        var buffer = new List<TSample>(Math.Min(Options.ShuffleBuffer, 1 << 16));
        await foreach (TSample sample in openStream!(cancel).WithCancellation(cancel).ConfigureAwait(false))
        {
            if (!Options.Shuffle)
            {
                yield return sample;
                continue;
            }

            if (buffer.Count < Options.ShuffleBuffer)
            {
                buffer.Add(sample);
                continue;
            }

            int j = order.NextInt(buffer.Count);
            yield return buffer[j];
            buffer[j] = sample;
        }

        while (buffer.Count > 0)
        {
            int j = order.NextInt(buffer.Count);
            yield return buffer[j];
            buffer[j] = buffer[^1];
            buffer.RemoveAt(buffer.Count - 1);
        }
    }
}

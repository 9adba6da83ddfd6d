using Cauchy.V1;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;

namespace Cauchy.Trainer.Worker;

/// <summary>
/// What the worker is doing, shared by the worker loop (writer), GetStatus, Drain and the Prometheus gauges (readers).
/// </summary>
public sealed class WorkerStatusBoard
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly Queue<(long Timestamp, long Samples)> _throughput = new();
    private readonly DateTimeOffset _started;
    private CancellationTokenSource _releaseRequested = new();
    private RunningJob? _current;
    private int _jobsFinished;
    private bool _draining;

    public WorkerStatusBoard(string workerId, TimeProvider time)
    {
        WorkerId = workerId;
        this._time = time;
        _started = time.GetUtcNow();
    }

    public WorkerStatusBoard(IOptions<WorkerOptions> options, TimeProvider time)
        : this(options.Value.WorkerId, time)
    {
    }

    public string WorkerId { get; }

    public bool Draining
    {
        get
        {
            lock (_gate)
            {
                return _draining;
            }
        }
    }

    /// <summary>Cancelled when Drain asks for the current job to be released.</summary>
    public CancellationToken ReleaseRequested
    {
        get
        {
            lock (_gate)
            {
                return _releaseRequested.Token;
            }
        }
    }

    /// <summary>The running job's labels and latest values; null when idle.</summary>
    public RunningJob? Current
    {
        get
        {
            lock (_gate)
            {
                return _current;
            }
        }
    }

    public void Drain(bool releaseCurrentJob)
    {
        lock (_gate)
        {
            _draining = true;
            if (releaseCurrentJob && _current is not null)
            {
                _releaseRequested.Cancel();
            }
        }
    }

    public RunningJob Start(Job job)
    {
        lock (_gate)
        {
            if (_releaseRequested.IsCancellationRequested)
            {
                _releaseRequested.Dispose();
                _releaseRequested = new CancellationTokenSource();
            }

            _throughput.Clear();
            _current = new RunningJob(job.Id, job.Spec.Model.Architecture, job.Spec.Dataset.DatasetId, job.Spec.Hyperparameters.Epochs);
            return _current;
        }
    }

    public void Finish()
    {
        lock (_gate)
        {
            _current = null;
            _jobsFinished++;
            _throughput.Clear();
        }
    }

    /// <summary>Counts trained samples for the one-minute throughput average.</summary>
    public void AddSamples(long samples)
    {
        lock (_gate)
        {
            _throughput.Enqueue((_time.GetTimestamp(), samples));
            while (_throughput.Count > 1 && _time.GetElapsedTime(_throughput.Peek().Timestamp) > TimeSpan.FromMinutes(1))
            {
                _throughput.Dequeue();
            }
        }
    }

    /// <summary>Samples per second over the last minute (0 when idle or just started).</summary>
    public double SamplesPerSecond()
    {
        lock (_gate)
        {
            return SamplesPerSecondLocked();
        }
    }

    public WorkerStatus Snapshot(DeviceInfo device)
    {
        lock (_gate)
        {
            var status = new WorkerStatus
            {
                WorkerId = WorkerId,
                State = _current is null ? WorkerState.Idle : WorkerState.Training,
                Draining = _draining,
                CurrentJobId = _current?.JobId ?? "",
                Device = device,
                JobsFinished = _jobsFinished,
                StartTime = Timestamp.FromDateTimeOffset(_started),
                Version = typeof(WorkerStatusBoard).Assembly.GetName().Version?.ToString() ?? "",
            };
            if (_current is not null)
            {
                status.Progress = _current.Progress.Clone();
            }

            status.SamplesPerSecond = SamplesPerSecondLocked();
            return status;
        }
    }

    private double SamplesPerSecondLocked()
    {
        if (_current is null || _throughput.Count < 2)
        {
            return 0;
        }

        double seconds = _time.GetElapsedTime(_throughput.Peek().Timestamp).TotalSeconds;
        return seconds > 0 ? _throughput.Skip(1).Sum(t => t.Samples) / seconds : 0;
    }
}

/// <summary>The job a worker runs: its Prometheus labels and the latest values it reported.</summary>
public sealed class RunningJob(string jobId, string model, string dataset, int totalEpochs)
{
    public string JobId { get; } = jobId;

    public string Model { get; } = model;

    public string Dataset { get; } = dataset;

    /// <summary>Replaced (never mutated) by the worker; readers clone it.</summary>
    public JobProgress Progress { get; set; } = new() { Phase = JobPhase.Preparing, TotalEpochs = totalEpochs };

    public double? TrainLoss { get; set; }

    public double? LearningRate { get; set; }

    public double? ValidationAccuracy { get; set; }

    public double? SamplesPerSecond { get; set; }

    public long? GpuMemoryBytes { get; set; }
}

using System.Runtime.CompilerServices;
using Cauchy.Domain;
using Cauchy.Orchestrator.Data;
using Cauchy.Orchestrator.Jobs;
using Cauchy.Orchestrator.Specs;
using Cauchy.Testing;
using Cauchy.V1;
using Google.Protobuf.WellKnownTypes;
using Microsoft.EntityFrameworkCore;
using Xunit;

namespace Cauchy.Orchestrator.Tests;

[CollectionDefinition(PostgresFixture.CollectionName)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>;

public sealed class JobQueueOnSqlite(SqliteFixture server) : JobQueueBehaviour(server), IClassFixture<SqliteFixture>;

[Collection(PostgresFixture.CollectionName)]
public sealed class JobQueueOnPostgres(PostgresFixture server) : JobQueueBehaviour(server);

/// <summary>The queue and state machine of jobs.proto on a real database: every transition of its table, and the refusals.</summary>
public abstract class JobQueueBehaviour(ITestDatabaseServer server)
{
    private static readonly string[] NoArchitectures = [];

    [Fact]
    public async Task The_migration_creates_exactly_the_model()
    {
        await SchemaDescription.AssertMigrationsMatchModelAsync<OrchestratorDbContext>(server, options => new OrchestratorDbContext(options));
    }

    [Fact]
    public async Task Submit_pins_the_newest_dataset_version_fills_defaults_and_queues()
    {
        var h = await HarnessAsync();

        var result = await h.Submission.SubmitAsync(new SubmitJobRequest { Hypes = new HypesDocument { Text = Specs.HypesYaml } }, default);

        Assert.False(result.AlreadyExisted);
        var job = result.Job;
        Assert.Equal(32, job.Id.Length);
        Assert.Equal(JobState.Queued, job.State);
        Assert.Equal("v2", job.Spec.Dataset.VersionId);
        Assert.Equal(JobSpecDefaults.MaxRetries, job.Spec.MaxRetries);
        Assert.Equal(0, job.Attempt);
        Assert.Equal(job, await h.Queries.GetAsync(job.Id, default));

        var pinned = Specs.Classification();
        pinned.Dataset.VersionId = "v1";
        Assert.Equal("v1", (await h.Submission.SubmitAsync(new SubmitJobRequest { Spec = pinned }, default)).Job.Spec.Dataset.VersionId);
    }

    [Fact]
    public async Task Validate_only_answers_the_resolved_job_and_stores_nothing()
    {
        var h = await HarnessAsync();

        var preview = await h.Submission.SubmitAsync(new SubmitJobRequest { Spec = Specs.Classification(), ValidateOnly = true, IdempotencyKey = "k" }, default);

        Assert.Equal("", preview.Job.Id);
        Assert.Equal("v2", preview.Job.Spec.Dataset.VersionId);
        Assert.Empty((await h.Queries.ListAsync(new ListJobsRequest(), default)).Jobs);
        // The key was not spent either: a real submission with it creates a job.
        Assert.False((await h.Submission.SubmitAsync(new SubmitJobRequest { Spec = Specs.Classification(), IdempotencyKey = "k" }, default)).AlreadyExisted);
    }

    [Theory]
    [InlineData("missing", "", DomainErrorKind.NotFound, "spec.dataset: dataset 'missing' does not exist")]
    [InlineData("fashion", "v9", DomainErrorKind.NotFound, "spec.dataset: version 'v9' of dataset 'fashion' does not exist")]
    [InlineData("empty", "", DomainErrorKind.NotFound, "spec.dataset: dataset 'empty' has no version yet")]
    [InlineData("shapes", "", DomainErrorKind.InvalidArgument, "spec.task_type: is Classification but dataset 'shapes' is annotated for Detection")]
    public async Task Datasets_that_do_not_fit_are_refused_and_nothing_is_stored(string dataset, string version, DomainErrorKind kind, string message)
    {
        var h = await HarnessAsync();
        var spec = Specs.Classification(dataset: dataset);
        spec.Dataset.VersionId = version;

        var error = await Assert.ThrowsAsync<DomainException>(() => h.Submission.SubmitAsync(new SubmitJobRequest { Spec = spec }, default));

        Assert.Equal(kind, error.Kind);
        Assert.StartsWith(message, error.Message);
        Assert.Empty((await h.Queries.ListAsync(new ListJobsRequest(), default)).Jobs);
    }

    [Fact]
    public async Task Pretrained_weights_must_exist_in_the_registry()
    {
        var h = await HarnessAsync();
        var spec = Specs.Classification();
        spec.Model.Pretrained = new ModelVersionRef { ModelName = "imagenet-cnn", Version = 2 };

        var error = await Assert.ThrowsAsync<DomainException>(() => h.Submission.SubmitAsync(new SubmitJobRequest { Spec = spec }, default));
        Assert.Equal(DomainErrorKind.NotFound, error.Kind);
        Assert.Equal("spec.model.pretrained: model version 'imagenet-cnn:2' does not exist in the registry", error.Message);

        spec.Model.Pretrained.Version = 1;
        Assert.Equal(1, (await h.Submission.SubmitAsync(new SubmitJobRequest { Spec = spec }, default)).Job.Spec.Model.Pretrained.Version);
    }

    [Fact]
    public async Task A_batch_larger_than_the_train_split_and_a_bad_spec_are_invalid_arguments()
    {
        var h = await HarnessAsync();
        var spec = Specs.Classification(batchSize: 2000);
        spec.Dataset.VersionId = "v1";

        var batch = await Assert.ThrowsAsync<DomainException>(() => h.Submission.SubmitAsync(new SubmitJobRequest { Spec = spec }, default));
        Assert.Equal(DomainErrorKind.InvalidArgument, batch.Kind);
        Assert.StartsWith("spec.hyperparameters.batch_size: is 2000 but the train split of dataset 'fashion' has only 1000 samples", batch.Message);

        var invalid = await Assert.ThrowsAsync<InvalidJobSpecException>(() => h.Submission.SubmitAsync(new SubmitJobRequest
        {
            Hypes = new HypesDocument { Text = Specs.HypesYaml.Replace("learning_rate: 0.05", "learning_rate: -1") },
        }, default));
        Assert.Contains("spec.hyperparameters.optimizer.learning_rate", invalid.Message);
        Assert.Empty((await h.Queries.ListAsync(new ListJobsRequest(), default)).Jobs);
    }

    [Fact]
    public async Task An_idempotency_key_returns_the_first_job_and_refuses_a_different_spec()
    {
        var h = await HarnessAsync();
        var first = await h.Submission.SubmitAsync(new SubmitJobRequest { Hypes = new HypesDocument { Text = Specs.HypesYaml }, IdempotencyKey = "retry-me" }, default);

        var again = await h.Submission.SubmitAsync(new SubmitJobRequest { Hypes = new HypesDocument { Text = Specs.HypesYaml }, IdempotencyKey = "retry-me" }, default);
        Assert.True(again.AlreadyExisted);
        Assert.Equal(first.Job.Id, again.Job.Id);

        var other = await Assert.ThrowsAsync<DomainException>(() => h.Submission.SubmitAsync(new SubmitJobRequest
        {
            Hypes = new HypesDocument { Text = Specs.HypesYaml.Replace("epochs: 2", "epochs: 3") },
            IdempotencyKey = "retry-me",
        }, default));
        Assert.Equal(DomainErrorKind.AlreadyExists, other.Kind);
        Assert.Contains(first.Job.Id, other.Message);

        // After the window the key is forgotten and makes a new job.
        h.Time.Advance(h.Options.IdempotencyWindow + TimeSpan.FromMinutes(1));
        var later = await h.Submission.SubmitAsync(new SubmitJobRequest { Hypes = new HypesDocument { Text = Specs.HypesYaml }, IdempotencyKey = "retry-me" }, default);
        Assert.False(later.AlreadyExisted);
        Assert.NotEqual(first.Job.Id, later.Job.Id);
        Assert.Equal(2, (await h.Queries.ListAsync(new ListJobsRequest(), default)).Jobs.Count);
    }

    [Fact]
    public async Task Concurrent_submissions_with_one_key_create_exactly_one_job()
    {
        var h = await HarnessAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
            h.Submission.SubmitAsync(new SubmitJobRequest { Spec = Specs.Classification(), IdempotencyKey = "burst" }, default))));

        Assert.Single(results.Select(r => r.Job.Id).Distinct());
        Assert.Single(results, r => !r.AlreadyExisted);
        Assert.Single((await h.Queries.ListAsync(new ListJobsRequest(), default)).Jobs);
    }

    [Fact]
    public async Task Leases_go_by_priority_then_age_and_only_to_workers_that_fit()
    {
        var h = await HarnessAsync();
        var low = await SubmitAsync(h, Specs.Classification(priority: -5));
        h.Time.Advance(TimeSpan.FromSeconds(1));
        var olderHigh = await SubmitAsync(h, Specs.Classification(priority: 10));
        h.Time.Advance(TimeSpan.FromSeconds(1));
        var newerHigh = await SubmitAsync(h, Specs.Classification(priority: 10));
        h.Time.Advance(TimeSpan.FromSeconds(1));
        var gpu = await SubmitAsync(h, Specs.Classification(priority: 50, gpus: 2));
        h.Time.Advance(TimeSpan.FromSeconds(1));
        var resnet = await SubmitAsync(h, Specs.Classification(architecture: "resnet18", priority: 40));

        Assert.Equal(gpu.Id, (await LeaseAsync(h, "gpu-worker", Specs.Cuda(2)))!.Job.Id);
        Assert.Null(await LeaseAsync(h, "small-gpu", Specs.Cuda(1), ["nothing_like_it"]));
        Assert.Equal(olderHigh.Id, (await LeaseAsync(h, "cnn-only", Specs.Cpu(), ["simple_cnn"]))!.Job.Id);
        Assert.Equal(resnet.Id, (await LeaseAsync(h, "any", Specs.Cpu()))!.Job.Id);
        Assert.Equal(newerHigh.Id, (await LeaseAsync(h, "any", Specs.Cpu()))!.Job.Id);
        Assert.Equal(low.Id, (await LeaseAsync(h, "any", Specs.Cpu()))!.Job.Id);
        Assert.Null(await LeaseAsync(h, "any", Specs.Cpu()));
    }

    [Fact]
    public async Task A_gpu_job_is_never_leased_to_a_cpu_worker_or_one_with_too_few_gpus()
    {
        var h = await HarnessAsync();
        var job = await SubmitAsync(h, Specs.Classification(gpus: 4));

        Assert.Null(await LeaseAsync(h, "cpu", Specs.Cpu()));
        Assert.Null(await LeaseAsync(h, "two-gpus", Specs.Cuda(2)));
        Assert.Equal(job.Id, (await LeaseAsync(h, "four-gpus", Specs.Cuda(4)))!.Job.Id);
    }

    [Fact]
    public async Task Two_workers_racing_for_one_job_exactly_one_wins()
    {
        var h = await HarnessAsync();
        var job = await SubmitAsync(h, Specs.Classification());

        var grants = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Task.Run(() => LeaseAsync(h, $"worker-{i}", Specs.Cpu()))));

        var winner = Assert.Single(grants, g => g is not null)!;
        Assert.Equal(job.Id, winner.Job.Id);
        var stored = await h.Queries.GetAsync(job.Id, default);
        Assert.Equal(JobState.Running, stored.State);
        Assert.Equal(1, stored.Attempt);
        Assert.Equal(winner.Job.WorkerId, stored.WorkerId);
        await using var db = await h.Factory.CreateDbContextAsync();
        Assert.Equal(1, await db.Leases.CountAsync(l => l.JobId == job.Id));
    }

    [Fact]
    public async Task A_long_poll_is_woken_by_a_submission()
    {
        var h = await HarnessAsync();

        var waiting = h.Leases.LeaseAsync("waiter", Specs.Cpu(), NoArchitectures, TimeSpan.FromSeconds(25), default);
        var job = await SubmitAsync(h, Specs.Classification());

        var grant = await waiting;
        Assert.NotNull(grant);
        Assert.Equal(job.Id, grant.Job.Id);
    }

    [Fact]
    public async Task Running_to_succeeded_records_the_model_and_ends_the_lease()
    {
        var h = await HarnessAsync();
        var (job, lease) = await RunningAsync(h);

        var done = await h.Leases.CompleteAsync(new CompleteJobRequest { LeaseId = lease, ResultModelVersion = Model(), Metrics = { Metric("test/accuracy", 0.92, 100) } }, default);

        Assert.Equal(JobState.Succeeded, done.State);
        Assert.Equal(Model(), done.ResultModelVersion);
        // Read back from the database: the registry-wide version id is stored with the name and number.
        Assert.Equal(Model(), (await h.Queries.GetAsync(job.Id, default)).ResultModelVersion);
        Assert.NotNull(done.EndTime);
        Assert.Contains(done.LastMetrics, m => m.Name == "test/accuracy" && m.Value == 0.92);
        await AssertRefusedAsync(DomainErrorKind.FailedPrecondition, () => h.Leases.HeartbeatAsync(new HeartbeatRequest { LeaseId = lease }, default));
        await AssertRefusedAsync(DomainErrorKind.FailedPrecondition, () => h.Leases.CompleteAsync(new CompleteJobRequest { LeaseId = lease, ResultModelVersion = Model() }, default));
        var tooLate = await AssertRefusedAsync(DomainErrorKind.FailedPrecondition, () => h.Cancellation.CancelAsync(job.Id, "too late", default));
        Assert.Equal($"job '{job.Id}' is SUCCEEDED and cannot be cancelled", tooLate.Message);
        await AssertStatesAsync(h, job.Id, JobState.Queued, JobState.Running, JobState.Succeeded);
    }

    [Fact]
    public async Task Complete_needs_the_model_version()
    {
        var h = await HarnessAsync();
        var (_, lease) = await RunningAsync(h);

        var error = await AssertRefusedAsync(DomainErrorKind.InvalidArgument, () => h.Leases.CompleteAsync(new CompleteJobRequest { LeaseId = lease }, default));
        Assert.StartsWith("result_model_version:", error.Message);
    }

    [Fact]
    public async Task Release_requeues_without_counting_a_failure_and_the_next_lease_resumes_from_the_checkpoint()
    {
        var h = await HarnessAsync();
        var (job, lease) = await RunningAsync(h);
        var checkpoint = new Checkpoint { Object = new ObjectRef { Uri = "file:///ckpt/1" }, Step = 40, Epoch = 1, CompletedEpoch = true };
        await h.Leases.HeartbeatAsync(new HeartbeatRequest { LeaseId = lease, Checkpoint = checkpoint }, default);

        var released = await h.Leases.ReleaseAsync(new ReleaseJobRequest { LeaseId = lease, Reason = "draining" }, default);

        Assert.Equal(JobState.Queued, released.State);
        Assert.Equal(0, released.FailureCount);
        var next = (await LeaseAsync(h, "second", Specs.Cpu()))!;
        Assert.Equal(2, next.Job.Attempt);
        Assert.Equal(40, next.ResumeFrom!.Step);
        Assert.Equal("file:///ckpt/1", next.ResumeFrom.Object.Uri);
        await AssertRefusedAsync(DomainErrorKind.FailedPrecondition, () => h.Leases.HeartbeatAsync(new HeartbeatRequest { LeaseId = lease }, default));
        await AssertStatesAsync(h, job.Id, JobState.Queued, JobState.Running, JobState.Queued, JobState.Running);
    }

    [Fact]
    public async Task Retryable_failures_requeue_until_retries_run_out_then_the_job_fails()
    {
        var h = await HarnessAsync();
        var job = await SubmitAsync(h, Specs.Classification(maxRetries: 1));

        var first = (await LeaseAsync(h, "w", Specs.Cpu()))!;
        var requeued = await h.Leases.FailAsync(new FailJobRequest { LeaseId = first.LeaseId, ErrorMessage = "CUDA out of memory", Retryable = true }, default);
        Assert.Equal(JobState.Queued, requeued.State);
        Assert.Equal(1, requeued.FailureCount);
        Assert.Equal("CUDA out of memory", requeued.ErrorMessage);

        var second = (await LeaseAsync(h, "w", Specs.Cpu()))!;
        var failed = await h.Leases.FailAsync(new FailJobRequest { LeaseId = second.LeaseId, ErrorMessage = "CUDA out of memory again", Retryable = true }, default);
        Assert.Equal(JobState.Failed, failed.State);
        Assert.Equal(2, failed.FailureCount);
        Assert.NotNull(failed.EndTime);
        await AssertRefusedAsync(DomainErrorKind.FailedPrecondition, () => h.Cancellation.CancelAsync(job.Id, "", default));
        await AssertStatesAsync(h, job.Id, JobState.Queued, JobState.Running, JobState.Queued, JobState.Running, JobState.Failed);
    }

    [Fact]
    public async Task A_failure_that_is_not_retryable_fails_the_job_at_once()
    {
        var h = await HarnessAsync();
        var (job, lease) = await RunningAsync(h);

        var failed = await h.Leases.FailAsync(new FailJobRequest { LeaseId = lease, ErrorMessage = "bad data", Retryable = false }, default);

        Assert.Equal(JobState.Failed, failed.State);
        Assert.Equal("bad data", failed.ErrorMessage);
        await AssertStatesAsync(h, job.Id, JobState.Queued, JobState.Running, JobState.Failed);
    }

    [Fact]
    public async Task Cancelling_a_queued_job_is_immediate_and_repeating_it_changes_nothing()
    {
        var h = await HarnessAsync();
        var job = await SubmitAsync(h, Specs.Classification());

        var cancelled = await h.Cancellation.CancelAsync(job.Id, "not needed", default);
        var again = await h.Cancellation.CancelAsync(job.Id, "still not needed", default);

        Assert.Equal(JobState.Cancelled, cancelled.State);
        Assert.Equal(cancelled, again);
        Assert.Null(await LeaseAsync(h, "w", Specs.Cpu()));
        await AssertStatesAsync(h, job.Id, JobState.Queued, JobState.Cancelled);
        Assert.Contains(await LogsAsync(h, job.Id), l => l.Text == "cancelled: not needed");
    }

    [Fact]
    public async Task A_running_job_is_cancelled_through_its_worker()
    {
        var h = await HarnessAsync();
        var (job, lease) = await RunningAsync(h);

        Assert.Equal(JobState.Cancelling, (await h.Cancellation.CancelAsync(job.Id, "wrong data", default)).State);
        Assert.Equal(JobState.Cancelling, (await h.Cancellation.CancelAsync(job.Id, "", default)).State);
        Assert.True((await h.Leases.HeartbeatAsync(new HeartbeatRequest { LeaseId = lease }, default)).CancelRequested);
        var stopped = await h.Leases.FailAsync(new FailJobRequest { LeaseId = lease, ErrorMessage = "stopped", Retryable = true }, default);

        Assert.Equal(JobState.Cancelled, stopped.State);
        Assert.Equal(0, stopped.FailureCount);
        await AssertStatesAsync(h, job.Id, JobState.Queued, JobState.Running, JobState.Cancelling, JobState.Cancelled);
    }

    [Fact]
    public async Task A_cancelling_job_released_becomes_cancelled_and_one_completed_succeeds()
    {
        var h = await HarnessAsync();
        var (released, releaseLease) = await RunningAsync(h);
        await h.Cancellation.CancelAsync(released.Id, "", default);
        Assert.Equal(JobState.Cancelled, (await h.Leases.ReleaseAsync(new ReleaseJobRequest { LeaseId = releaseLease }, default)).State);

        var (completed, completeLease) = await RunningAsync(h);
        await h.Cancellation.CancelAsync(completed.Id, "", default);
        Assert.Equal(JobState.Succeeded, (await h.Leases.CompleteAsync(new CompleteJobRequest { LeaseId = completeLease, ResultModelVersion = Model() }, default)).State);
        await AssertStatesAsync(h, completed.Id, JobState.Queued, JobState.Running, JobState.Cancelling, JobState.Succeeded);
    }

    [Fact]
    public async Task The_reaper_requeues_expired_leases_counts_the_failure_and_fails_when_no_retry_is_left()
    {
        var h = await HarnessAsync();
        var job = await SubmitAsync(h, Specs.Classification(maxRetries: 1));
        var first = (await LeaseAsync(h, "lost", Specs.Cpu()))!;

        h.Time.Advance(h.Options.Lease - TimeSpan.FromSeconds(1));
        Assert.Equal(0, await h.Leases.ExpireLeasesAsync(default));
        h.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, await h.Leases.ExpireLeasesAsync(default));
        Assert.Equal(0, await h.Leases.ExpireLeasesAsync(default));

        var requeued = await h.Queries.GetAsync(job.Id, default);
        Assert.Equal(JobState.Queued, requeued.State);
        Assert.Equal(1, requeued.FailureCount);
        Assert.StartsWith("lease expired", requeued.ErrorMessage);
        await AssertRefusedAsync(DomainErrorKind.FailedPrecondition, () => h.Leases.HeartbeatAsync(new HeartbeatRequest { LeaseId = first.LeaseId }, default));

        var second = (await LeaseAsync(h, "also-lost", Specs.Cpu()))!;
        Assert.Equal(2, second.Job.Attempt);
        h.Time.Advance(h.Options.Lease + TimeSpan.FromSeconds(1));
        Assert.Equal(1, await h.Leases.ExpireLeasesAsync(default));

        var failed = await h.Queries.GetAsync(job.Id, default);
        Assert.Equal(JobState.Failed, failed.State);
        Assert.Equal(2, failed.FailureCount);
        await AssertStatesAsync(h, job.Id, JobState.Queued, JobState.Running, JobState.Queued, JobState.Running, JobState.Failed);
    }

    [Fact]
    public async Task A_job_whose_attempts_together_run_past_max_run_duration_fails()
    {
        var h = await HarnessAsync();
        var spec = Specs.Classification();
        spec.MaxRunDuration = Duration.FromTimeSpan(TimeSpan.FromMinutes(10));
        var job = await SubmitAsync(h, spec);
        var first = (await LeaseAsync(h, "w", Specs.Cpu()))!;
        for (var i = 0; i < 8; i++)
        {
            h.Time.Advance(TimeSpan.FromSeconds(45));
            await h.Leases.HeartbeatAsync(new HeartbeatRequest { LeaseId = first.LeaseId }, default);
        }

        await h.Leases.ReleaseAsync(new ReleaseJobRequest { LeaseId = first.LeaseId }, default);
        h.Time.Advance(TimeSpan.FromHours(1));
        var second = (await LeaseAsync(h, "w", Specs.Cpu()))!;
        // 6 minutes in the first attempt (the hour in the queue does not count), then 4 minutes 10 seconds here.
        for (var i = 0; i < 4; i++)
        {
            h.Time.Advance(TimeSpan.FromSeconds(50));
            await h.Leases.HeartbeatAsync(new HeartbeatRequest { LeaseId = second.LeaseId }, default);
            Assert.Equal(0, await h.Leases.ExpireLeasesAsync(default));
        }

        h.Time.Advance(TimeSpan.FromSeconds(50));
        Assert.Equal(1, await h.Leases.ExpireLeasesAsync(default));

        var failed = await h.Queries.GetAsync(job.Id, default);
        Assert.Equal(JobState.Failed, failed.State);
        Assert.StartsWith("max_run_duration exceeded", failed.ErrorMessage);
        Assert.Equal(0, failed.FailureCount);
        await AssertRefusedAsync(DomainErrorKind.FailedPrecondition, () => h.Leases.HeartbeatAsync(new HeartbeatRequest { LeaseId = second.LeaseId }, default));
        await AssertStatesAsync(h, job.Id, JobState.Queued, JobState.Running, JobState.Queued, JobState.Running, JobState.Failed);
    }

    [Fact]
    public async Task Heartbeats_renew_the_lease_so_the_reaper_leaves_the_job_alone()
    {
        var h = await HarnessAsync();
        var (job, lease) = await RunningAsync(h);

        for (var i = 0; i < 3; i++)
        {
            h.Time.Advance(h.Options.Lease - TimeSpan.FromSeconds(5));
            var beat = await h.Leases.HeartbeatAsync(new HeartbeatRequest { LeaseId = lease }, default);
            Assert.Equal(h.Time.GetUtcNow().UtcDateTime + h.Options.Lease, beat.LeaseExpiresAt);
            Assert.Equal(0, await h.Leases.ExpireLeasesAsync(default));
        }

        Assert.Equal(JobState.Running, (await h.Queries.GetAsync(job.Id, default)).State);
    }

    [Fact]
    public async Task A_heartbeat_after_expiry_is_refused_and_applies_the_expiry_itself()
    {
        var h = await HarnessAsync();
        var (job, lease) = await RunningAsync(h);
        await h.Cancellation.CancelAsync(job.Id, "", default);

        h.Time.Advance(h.Options.Lease + TimeSpan.FromSeconds(1));
        var error = await AssertRefusedAsync(DomainErrorKind.FailedPrecondition, () => h.Leases.HeartbeatAsync(new HeartbeatRequest { LeaseId = lease }, default));

        Assert.Contains("expired", error.Message);
        Assert.Equal(JobState.Cancelled, (await h.Queries.GetAsync(job.Id, default)).State);
        Assert.Equal(0, await h.Leases.ExpireLeasesAsync(default));
    }

    [Fact]
    public async Task Unknown_ids_and_leases_are_not_found_and_missing_fields_are_invalid()
    {
        var h = await HarnessAsync();

        await AssertRefusedAsync(DomainErrorKind.NotFound, () => h.Queries.GetAsync("nope", default));
        await AssertRefusedAsync(DomainErrorKind.NotFound, () => h.Cancellation.CancelAsync("nope", "", default));
        await AssertRefusedAsync(DomainErrorKind.NotFound, () => h.Metrics.GetMetricsAsync("nope", [], default));
        await AssertRefusedAsync(DomainErrorKind.NotFound, () => h.Leases.HeartbeatAsync(new HeartbeatRequest { LeaseId = "nope" }, default));
        await AssertRefusedAsync(DomainErrorKind.NotFound, () => h.Leases.FailAsync(new FailJobRequest { LeaseId = "nope" }, default));
        await AssertRefusedAsync(DomainErrorKind.NotFound, () => h.Leases.ReleaseAsync(new ReleaseJobRequest { LeaseId = "nope" }, default));
        await AssertRefusedAsync(DomainErrorKind.NotFound, () => h.Logs.AppendLogsAsync("nope", [new LogLine { Text = "x" }], default));
        Assert.StartsWith("worker_id:", (await AssertRefusedAsync(DomainErrorKind.InvalidArgument, () => h.Leases.LeaseAsync("", Specs.Cpu(), NoArchitectures, TimeSpan.Zero, default))).Message);
        Assert.StartsWith("device:", (await AssertRefusedAsync(DomainErrorKind.InvalidArgument, () => h.Leases.LeaseAsync("w", null, NoArchitectures, TimeSpan.Zero, default))).Message);
        Assert.StartsWith("device.kind:", (await AssertRefusedAsync(DomainErrorKind.InvalidArgument, () => h.Leases.LeaseAsync("w", new DeviceInfo(), NoArchitectures, TimeSpan.Zero, default))).Message);
        Assert.StartsWith("lease_id:", (await AssertRefusedAsync(DomainErrorKind.InvalidArgument, () => h.Leases.HeartbeatAsync(new HeartbeatRequest(), default))).Message);
    }

    [Fact]
    public async Task Heartbeat_metrics_are_upserted_per_name_and_step()
    {
        var h = await HarnessAsync();
        var (job, lease) = await RunningAsync(h);
        HeartbeatRequest Beat(params MetricValue[] metrics) => new() { LeaseId = lease, Metrics = { metrics } };

        await h.Leases.HeartbeatAsync(Beat(Metric("train/loss", 2.0, 10), Metric("train/loss", 1.5, 20), Metric("learning_rate", 0.05, 20)), default);
        // The same heartbeat retried, and a later one that reports step 20 again (a resumed attempt).
        await h.Leases.HeartbeatAsync(Beat(Metric("train/loss", 2.0, 10), Metric("train/loss", 1.5, 20), Metric("learning_rate", 0.05, 20)), default);
        await h.Leases.HeartbeatAsync(Beat(Metric("train/loss", 1.4, 20), Metric("train/loss", 1.1, 30)), default);

        var series = await h.Metrics.GetMetricsAsync(job.Id, [], default);
        Assert.Equal(["learning_rate", "train/loss"], series.Select(s => s.Name));
        Assert.Equal([(10L, 2.0), (20L, 1.4), (30L, 1.1)], series[1].Points.Select(p => (p.Step, p.Value)));
        Assert.Single(series[0].Points);
        Assert.Equal(["train/loss"], (await h.Metrics.GetMetricsAsync(job.Id, ["train/loss"], default)).Select(s => s.Name));

        var stored = await h.Queries.GetAsync(job.Id, default);
        Assert.Equal(1.1, stored.LastMetrics.Single(m => m.Name == "train/loss").Value);
        Assert.Equal(0.05, stored.LastMetrics.Single(m => m.Name == "learning_rate").Value);

        var nan = await AssertRefusedAsync(DomainErrorKind.InvalidArgument, () => h.Leases.HeartbeatAsync(Beat(Metric("train/loss", double.NaN, 40)), default));
        Assert.StartsWith("metrics[0].value:", nan.Message);
    }

    [Fact]
    public async Task Watching_gives_a_snapshot_then_every_event_in_order_and_ends_at_the_terminal_state()
    {
        var h = await HarnessAsync();
        var (job, lease) = await RunningAsync(h);
        var events = new List<JobEvent>();
        var firstSeen = new TaskCompletionSource();
        var watching = Task.Run(async () =>
        {
            await foreach (var e in h.Watch.WatchAsync(job.Id, default))
            {
                events.Add(e);
                firstSeen.TrySetResult();
            }
        });
        await firstSeen.Task.WaitAsync(TimeSpan.FromSeconds(60));

        await h.Leases.HeartbeatAsync(new HeartbeatRequest { LeaseId = lease, Progress = new JobProgress { Phase = JobPhase.Training, Epoch = 1, Step = 5 } }, default);
        await h.Leases.HeartbeatAsync(new HeartbeatRequest { LeaseId = lease, CompletedEpoch = 1, Metrics = { Metric("validation/accuracy", 0.8, 10) } }, default);
        await h.Leases.HeartbeatAsync(new HeartbeatRequest { LeaseId = lease, CompletedEpoch = 1 }, default);
        await h.Leases.CompleteAsync(new CompleteJobRequest { LeaseId = lease, ResultModelVersion = Model() }, default);
        await watching.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(JobState.Running, events[0].Snapshot.State);
        Assert.Equal(5, events[1].Progress.Step);
        Assert.Equal(1, events[2].EpochCompleted.Epoch);
        Assert.Equal(0.8, events[2].EpochCompleted.Metrics.Single().Value);
        Assert.Equal(JobState.Succeeded, events[3].StateChanged.State);
        Assert.Equal(4, events.Count);

        // Watching a finished job gives its snapshot and ends.
        var after = new List<JobEvent>();
        await foreach (var e in h.Watch.WatchAsync(job.Id, default))
        {
            after.Add(e);
        }

        Assert.Equal(JobState.Succeeded, Assert.Single(after).Snapshot.State);
    }

    [Fact]
    public async Task Logs_are_numbered_over_attempts_tailed_resumed_and_followed_to_the_end()
    {
        var h = await HarnessAsync();
        var (job, lease) = await RunningAsync(h);
        await h.Logs.AppendLogsAsync(lease, [new LogLine { Text = "epoch 1\n" }, new LogLine { Text = "epoch 2" }], default);
        await h.Leases.ReleaseAsync(new ReleaseJobRequest { LeaseId = lease, Reason = "preempted" }, default);
        var second = (await LeaseAsync(h, "second", Specs.Cpu()))!;

        var following = Task.Run(async () =>
        {
            var lines = new List<LogLine>();
            await foreach (var batch in h.Logs.StreamLogsAsync(job.Id, follow: true, 0, 0, default))
            {
                lines.AddRange(batch);
            }

            return lines;
        });
        await h.Logs.AppendLogsAsync(second.LeaseId, [new LogLine { Text = "epoch 3" }], default);
        await h.Leases.CompleteAsync(new CompleteJobRequest { LeaseId = second.LeaseId, ResultModelVersion = Model() }, default);

        var all = await following.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(Enumerable.Range(1, all.Count).Select(i => (long)i), all.Select(l => l.Sequence));
        var trainer = all.Where(l => l.WorkerId != JobEntities.OrchestratorWorkerId).ToList();
        Assert.Equal(["epoch 1", "epoch 2", "epoch 3"], trainer.Select(l => l.Text));
        Assert.Equal([1, 1, 2], trainer.Select(l => l.Attempt));
        Assert.Equal(["worker-a", "worker-a", "second"], trainer.Select(l => l.WorkerId));
        Assert.StartsWith("succeeded", all[^1].Text);

        Assert.Equal(all.TakeLast(2), await LogsAsync(h, job.Id, tail: 2));
        Assert.Equal(all.Skip(3), await LogsAsync(h, job.Id, after: 3));
    }

    [Fact]
    public async Task Lists_are_newest_first_filtered_and_paged()
    {
        var h = await HarnessAsync();
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var spec = Specs.Classification();
            spec.Labels["team"] = i % 2 == 0 ? "vision" : "audio";
            ids.Add((await SubmitAsync(h, spec)).Id);
            if (i != 2)
            {
                h.Time.Advance(TimeSpan.FromSeconds(1));
            }
        }

        await h.Cancellation.CancelAsync(ids[0], "", default);
        var seen = new List<string>();
        string? token = null;
        do
        {
            var page = await h.Queries.ListAsync(new ListJobsRequest { PageSize = 2, PageToken = token ?? "" }, default);
            seen.AddRange(page.Jobs.Select(j => j.Id));
            token = page.NextPageToken;
        }
        while (token is not null);

        Assert.Equal(Enumerable.Reverse(ids), seen);
        var vision = await h.Queries.ListAsync(new ListJobsRequest { LabelSelector = { ["team"] = "vision" }, States = { JobState.Queued } }, default);
        Assert.Equal([ids[4], ids[2]], vision.Jobs.Select(j => j.Id));
        Assert.Empty((await h.Queries.ListAsync(new ListJobsRequest { DatasetId = "shapes" }, default)).Jobs);

        var first = await h.Queries.ListAsync(new ListJobsRequest { PageSize = 1 }, default);
        var changed = await AssertRefusedAsync(DomainErrorKind.InvalidArgument, () => h.Queries.ListAsync(new ListJobsRequest { PageSize = 1, PageToken = first.NextPageToken!, DatasetId = "fashion" }, default));
        Assert.StartsWith("page_token:", changed.Message);
        await AssertRefusedAsync(DomainErrorKind.InvalidArgument, () => h.Queries.ListAsync(new ListJobsRequest { PageToken = "%%" }, default));
        await AssertRefusedAsync(DomainErrorKind.InvalidArgument, () => h.Queries.ListAsync(new ListJobsRequest { PageSize = -1 }, default));
    }

    private async Task<QueueHarness> HarnessAsync([CallerMemberName] string test = "") =>
        await QueueHarness.CreateAsync(server, $"{GetType().Name}_{test}");

    private static async Task<Job> SubmitAsync(QueueHarness h, JobSpec spec) =>
        (await h.Submission.SubmitAsync(new SubmitJobRequest { Spec = spec }, default)).Job;

    private static Task<LeaseGrant?> LeaseAsync(QueueHarness h, string worker, DeviceInfo device, string[]? architectures = null) =>
        h.Leases.LeaseAsync(worker, device, architectures ?? NoArchitectures, TimeSpan.Zero, default);

    private static async Task<(Job Job, string Lease)> RunningAsync(QueueHarness h)
    {
        var job = await SubmitAsync(h, Specs.Classification());
        var grant = await h.Leases.LeaseAsync("worker-a", Specs.Cpu(), NoArchitectures, TimeSpan.Zero, default)
            ?? throw new InvalidOperationException("nothing leased");
        Assert.Equal(job.Id, grant.Job.Id);
        return (grant.Job, grant.LeaseId);
    }

    private static async Task<List<LogLine>> LogsAsync(QueueHarness h, string jobId, long tail = 0, long after = 0)
    {
        var lines = new List<LogLine>();
        await foreach (var batch in h.Logs.StreamLogsAsync(jobId, follow: false, tail, after, default))
        {
            lines.AddRange(batch);
        }

        return lines;
    }

    private static async Task AssertStatesAsync(QueueHarness h, string jobId, params JobState[] states)
    {
        await using var db = await h.Factory.CreateDbContextAsync();
        var events = await db.JobEvents.Where(e => e.JobId == jobId).OrderBy(e => e.Sequence).ToListAsync();
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Sequence));
        var changes = events.Select(e => JobEvent.Parser.ParseFrom(e.Payload)).Where(e => e.StateChanged is not null).Select(e => e.StateChanged).ToList();
        Assert.Equal(states, changes.Select(c => c.State));
        Assert.Equal([JobState.Unspecified, .. states[..^1]], changes.Select(c => c.PreviousState));
    }

    private static async Task<DomainException> AssertRefusedAsync(DomainErrorKind kind, Func<Task> call)
    {
        var error = await Assert.ThrowsAsync<DomainException>(call);
        Assert.Equal(kind, error.Kind);
        return error;
    }

    private static MetricValue Metric(string name, double value, long step) =>
        new() { Name = name, Value = value, Step = step, Epoch = 1, Time = Timestamp.FromDateTime(new DateTime(2026, 11, 23, 8, 0, 0, DateTimeKind.Utc)) };

    private static ModelVersionRef Model() => new() { ModelName = "fashion-simple_cnn", Version = 1, VersionId = "mv-3a7179fbf28b4bbaa2ad249f2b3b5c42" };
}

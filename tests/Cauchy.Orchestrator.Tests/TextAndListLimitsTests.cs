using Cauchy.Domain;
using Cauchy.V1;
using Google.Protobuf;
using Grpc.Core;
using Xunit;
using static Cauchy.Orchestrator.Tests.JobsServiceTests;

namespace Cauchy.Orchestrator.Tests;

/// <summary>Notes that come with a state change are bounded, and a list of jobs is bounded in bytes.</summary>
public sealed class TextAndListLimitsTests(OrchestratorFixture fixture) : IClassFixture<OrchestratorFixture>
{
    [Fact]
    public async Task A_cancel_reason_over_the_note_limit_is_refused_naming_the_field_and_the_limit()
    {
        var job = (await fixture.Client.SubmitJobAsync(new SubmitJobRequest { Hypes = Hypes(UniqueArchitecture()) }, Deadline())).Job;

        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.Client.CancelJobAsync(
            new CancelJobRequest { JobId = job.Id, Reason = new string('r', 1 << 20) }, Deadline()).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal($"reason: has {1 << 20} characters; at most {TextLimits.Note} are accepted.", error.Status.Detail);
        Assert.Equal(JobState.Queued, (await fixture.Client.GetJobAsync(new GetJobRequest { JobId = job.Id }, Deadline())).Job.State);
    }

    [Fact]
    public async Task A_page_of_jobs_stops_at_the_byte_budget_and_its_token_continues_without_loss_or_duplicates()
    {
        // Jobs with the most labels and the longest display name the limits allow.
        var suite = Guid.NewGuid().ToString("N")[..12];
        var spec = Specs.Classification(UniqueArchitecture());
        spec.DisplayName = new string('n', TextLimits.DisplayName);
        spec.Labels["suite"] = suite;
        for (var i = 1; i < TextLimits.LabelCount; i++)
        {
            spec.Labels[$"key-{i:D2}-{new string('k', 50)}"] = new string('v', TextLimits.LabelValue);
        }

        var perJob = spec.CalculateSize();
        var submitted = new List<string>();
        for (var i = 0; i < (PageBudget.MaxBytes / perJob) + 10; i++)
        {
            submitted.Add((await fixture.Client.SubmitJobAsync(new SubmitJobRequest { Spec = spec }, Deadline())).Job.Id);
        }

        var listed = new List<string>();
        var pages = 0;
        var token = "";
        do
        {
            var request = new ListJobsRequest { PageSize = 1000, PageToken = token };
            request.LabelSelector["suite"] = suite;
            var page = await fixture.Client.ListJobsAsync(request, Deadline());
            Assert.True(page.CalculateSize() <= PageBudget.MaxBytes + 1024, $"a page of {page.CalculateSize()} bytes");
            listed.AddRange(page.Jobs.Select(j => j.Id));
            token = page.NextPageToken;
            pages++;
        }
        while (token.Length > 0);

        Assert.True(pages >= 2, $"{pages} page(s)");
        Assert.Equal(submitted.Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
        Assert.Equal(listed.Count, listed.Distinct().Count());
    }
}

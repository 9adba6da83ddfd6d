using Cauchy.Domain;
using Cauchy.V1;
using Google.Protobuf;
using Grpc.Core;

namespace Cauchy.Datasets.Tests.Service;

/// <summary>Free text is bounded when it is written, and a list is bounded in bytes whatever is stored.</summary>
public sealed class TextAndListLimitsTests(DatasetsServiceFixture fixture) : IClassFixture<DatasetsServiceFixture>
{
    private V1.Datasets.DatasetsClient Client => fixture.Client;

    private static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..30];

    [Fact]
    public async Task Free_text_over_its_limit_is_refused_naming_the_field_and_the_limit()
    {
        async Task<string> RefusedAsync(CreateDatasetRequest request)
        {
            request.DatasetId = NewId("text");
            request.TaskType = TaskType.Classification;
            var error = await Assert.ThrowsAsync<RpcException>(() => Client.CreateDatasetAsync(request).ResponseAsync);
            Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
            return error.Status.Detail;
        }

        Assert.Equal($"display_name: has 100000 characters; at most {TextLimits.DisplayName} are accepted.",
            await RefusedAsync(new CreateDatasetRequest { DisplayName = new string('n', 100_000) }));
        Assert.Equal($"description: has {3 << 20} characters; at most {TextLimits.Description} are accepted.",
            await RefusedAsync(new CreateDatasetRequest { Description = new string('d', 3 << 20) }));
        var labels = new CreateDatasetRequest();
        labels.Labels.Add(Enumerable.Range(0, TextLimits.LabelCount + 1).ToDictionary(i => $"key{i}", i => "v"));
        Assert.StartsWith($"labels: has {TextLimits.LabelCount + 1} labels; at most {TextLimits.LabelCount}", await RefusedAsync(labels));

        var atTheLimit = await Client.CreateDatasetAsync(new CreateDatasetRequest
        {
            DatasetId = NewId("text"),
            TaskType = TaskType.Classification,
            DisplayName = new string('n', TextLimits.DisplayName),
            Description = new string('d', TextLimits.Description),
        });
        Assert.Equal(TextLimits.Description, atTheLimit.Dataset.Description.Length);
    }

    [Fact]
    public async Task A_list_page_stops_at_the_byte_budget_and_its_token_continues_without_loss_or_duplicates()
    {
        // Enough datasets at the description limit that one page of all of them would pass the budget.
        var suite = Guid.NewGuid().ToString("N")[..12];
        var count = (PageBudget.MaxBytes / TextLimits.Description) + 10;
        var created = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var request = new CreateDatasetRequest { DatasetId = NewId("page"), TaskType = TaskType.Classification, Description = new string('d', TextLimits.Description) };
            request.Labels["suite"] = suite;
            created.Add((await Client.CreateDatasetAsync(request)).Dataset.Id);
        }

        var listed = new List<string>();
        var pages = 0;
        var token = "";
        do
        {
            var request = new ListDatasetsRequest { PageSize = 1000, PageToken = token };
            request.LabelSelector["suite"] = suite;
            var page = await Client.ListDatasetsAsync(request);
            Assert.True(page.CalculateSize() <= PageBudget.MaxBytes + 1024, $"a page of {page.CalculateSize()} bytes");
            listed.AddRange(page.Datasets.Select(d => d.Id));
            token = page.NextPageToken;
            pages++;
        }
        while (token.Length > 0);

        Assert.True(pages >= 2, $"{pages} page(s)");
        Assert.Equal(created.Order(StringComparer.Ordinal), listed);
    }
}

using System.Text.Json;
using Cauchy.Testing;
using Cauchy.Torch.Models;
using Xunit;

namespace Cauchy.Trainer.Tests;

public sealed class ArchitectureListTests
{
    /// <summary>
    /// The orchestrator refuses jobs whose architecture is not in its Jobs:Architectures (it cannot reference the
    /// native engine itself): that list must be exactly what the trainer's zoo builds.
    /// </summary>
    [Fact]
    public void The_orchestrators_architecture_list_is_the_trainers_model_zoo()
    {
        string path = Path.Combine(RepositoryRoot.Find(), "services", "orchestrator", "appsettings.json");
        using JsonDocument settings = JsonDocument.Parse(File.ReadAllText(path));
        string[] listed = [.. settings.RootElement.GetProperty("Jobs").GetProperty("Architectures").EnumerateArray().Select(e => e.GetString()!)];

        Assert.Equal(ModelZoo.Names.Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
    }
}

using Cauchy.Orchestrator.Specs;
using Cauchy.V1;
using Google.Protobuf.WellKnownTypes;
using Xunit;

namespace Cauchy.Orchestrator.Tests;

public sealed class HypesTests
{
    private const string Yaml = """
        display_name: fashion cnn
        task_type: classification
        model:
          architecture: resnet18
          options:
            small_image_stem: "true"
          pretrained: { model_name: resnet18-imagenet, version: 2 }
        dataset:
          dataset_id: fashion-mnist
        hyperparameters:
          epochs: 3
          batch_size: 128
          seed: 0
          label_smoothing: 0.1
          optimizer:
            kind: sgd
            learning_rate: 0.05
            momentum: 0.9
            nesterov: true
            weight_decay: 5e-4
          lr_schedule:
            kind: MULTISTEP
            milestone_epochs: [2, 3]
            warmup_steps: 100
          augmentation:
            horizontal_flip: true
            random_crop: true
            random_crop_padding: 2
        resources: { device: cpu }
        priority: 10
        max_retries: 0
        checkpoint_every_steps: 200
        max_run_duration: 1h30m
        labels:
          team: vision
        """;

    [Fact]
    public void A_yaml_document_binds_every_field()
    {
        var spec = Read(Yaml, HypesFormat.Yaml);

        Assert.Equal("fashion cnn", spec.DisplayName);
        Assert.Equal(TaskType.Classification, spec.TaskType);
        Assert.Equal("resnet18", spec.Model.Architecture);
        Assert.Equal("true", spec.Model.Options["small_image_stem"]);
        Assert.Equal(new ModelVersionRef { ModelName = "resnet18-imagenet", Version = 2 }, spec.Model.Pretrained);
        Assert.Equal("fashion-mnist", spec.Dataset.DatasetId);
        Assert.Equal(3, spec.Hyperparameters.Epochs);
        Assert.Equal(128, spec.Hyperparameters.BatchSize);
        Assert.Equal(0.1, spec.Hyperparameters.LabelSmoothing);
        Assert.Equal(OptimizerKind.Sgd, spec.Hyperparameters.Optimizer.Kind);
        Assert.Equal(0.05, spec.Hyperparameters.Optimizer.LearningRate);
        Assert.Equal(5e-4, spec.Hyperparameters.Optimizer.WeightDecay);
        Assert.True(spec.Hyperparameters.Optimizer.Nesterov);
        Assert.Equal(LrScheduleKind.Multistep, spec.Hyperparameters.LrSchedule.Kind);
        Assert.Equal([2, 3], spec.Hyperparameters.LrSchedule.MilestoneEpochs);
        Assert.Equal(2, spec.Hyperparameters.Augmentation.RandomCropPadding);
        Assert.Equal(DeviceKind.Cpu, spec.Resources.Device);
        Assert.Equal(10, spec.Priority);
        Assert.True(spec.HasMaxRetries);
        Assert.Equal(0, spec.MaxRetries);
        Assert.Equal(200, spec.CheckpointEverySteps);
        Assert.Equal(TimeSpan.FromMinutes(90), spec.MaxRunDuration.ToTimeSpan());
        Assert.Equal("vision", spec.Labels["team"]);
    }

    [Fact]
    public void Defaults_are_made_explicit_in_the_resolved_spec()
    {
        var spec = Read(Yaml, HypesFormat.Yaml);

        Assert.Equal(0.1, spec.Hyperparameters.LrSchedule.Gamma);
        Assert.Equal(0.001, spec.Hyperparameters.LrSchedule.WarmupStartFactor);
        Assert.Equal("fashion-mnist-resnet18", spec.OutputModelName);

        var minimal = Read("""
            task_type: classification
            model: { architecture: simple_cnn }
            dataset: { dataset_id: fashion-mnist }
            hyperparameters: { epochs: 1, batch_size: 64, optimizer: { kind: adamw, learning_rate: 0.001 } }
            """, HypesFormat.Unspecified);
        Assert.Equal(JobSpecDefaults.MaxRetries, minimal.MaxRetries);
        Assert.Equal(0.9, minimal.Hyperparameters.Optimizer.Beta1);
        Assert.Equal(0.999, minimal.Hyperparameters.Optimizer.Beta2);
        Assert.Equal(1e-8, minimal.Hyperparameters.Optimizer.Epsilon);
        Assert.Equal(LrScheduleKind.Constant, minimal.Hyperparameters.LrSchedule.Kind);
        Assert.Equal(DeviceKind.Cpu, minimal.Resources.Device);
        Assert.Equal("fashion-mnist-simple-cnn", minimal.OutputModelName); // '_' is outside the registry's alphabet
    }

    [Theory]
    [InlineData("fashion-mnist", "small_cnn", "fashion-mnist-small-cnn")]
    [InlineData("cifar10", "shufflenet_v2_x0_5", "cifar10-shufflenet-v2-x0-5")]
    [InlineData("2024_faces", "resnet18", "m-2024-faces-resnet18")]
    [InlineData("a__b", "c.d", "a-b-c-d")]
    public void The_default_model_name_follows_the_registry_rule(string dataset, string architecture, string expected)
    {
        Assert.Equal(expected, JobSpecDefaults.DefaultModelName(dataset, architecture));
        Assert.True(Cauchy.Domain.Names.IsValid(expected));
    }

    [Fact]
    public void The_default_model_name_is_cut_to_63_characters_without_a_trailing_dash()
    {
        string name = JobSpecDefaults.DefaultModelName(new string('a', 62) + "_b", "resnet18");
        Assert.Equal(new string('a', 62), name);
    }

    [Fact]
    public void Json_with_camel_case_names_and_full_enum_names_gives_the_same_spec()
    {
        const string json = """
            {
              "displayName": "fashion cnn",
              "taskType": "TASK_TYPE_CLASSIFICATION",
              "model": { "architecture": "resnet18", "options": { "small_image_stem": "true" },
                         "pretrained": { "modelName": "resnet18-imagenet", "version": 2 } },
              "dataset": { "datasetId": "fashion-mnist" },
              "hyperparameters": {
                "epochs": 3, "batchSize": 128, "seed": 0, "labelSmoothing": 0.1,
                "optimizer": { "kind": "OPTIMIZER_KIND_SGD", "learningRate": 0.05, "momentum": 0.9, "nesterov": true, "weightDecay": 0.0005 },
                "lrSchedule": { "kind": "multistep", "milestoneEpochs": [2, 3], "warmupSteps": "100" },
                "augmentation": { "horizontalFlip": true, "randomCrop": true, "randomCropPadding": 2 }
              },
              "resources": { "device": "cpu" },
              "priority": 10, "maxRetries": 0, "checkpointEverySteps": 200, "maxRunDuration": "90m",
              "labels": { "team": "vision" }
            }
            """;

        Assert.Equal(Read(Yaml, HypesFormat.Yaml), Read(json, HypesFormat.Json));
        Assert.Equal(Read(Yaml, HypesFormat.Yaml), Read(json, HypesFormat.Unspecified));
    }

    [Theory]
    [InlineData("hyperparameters:\n  epochs: 3\n  learning_rte: 0.1\n", "spec.hyperparameters.learning_rte (line 3): unknown field; Hyperparameters has epochs, batch_size")]
    [InlineData("hyperparameters:\n  epochs: ten\n", "spec.hyperparameters.epochs (line 2): expected a whole number, got 'ten'")]
    [InlineData("task_type: regression\n", "spec.task_type (line 1): unknown value 'regression'; expected one of classification, detection, segmentation")]
    [InlineData("model: resnet18\n", "spec.model (line 1): expected a mapping of ModelSpec fields, got 'resnet18'")]
    [InlineData("hyperparameters:\n  optimizer:\n    nesterov: yes please\n", "spec.hyperparameters.optimizer.nesterov (line 3): expected true or false, got 'yes please'")]
    [InlineData("max_run_duration: soon\n", "spec.max_run_duration (line 1): expected a duration such as 90s, 15m, 2h or 1h30m, got 'soon'")]
    [InlineData("hyperparameters:\n  learning_rate: .nan\n", "spec.hyperparameters.learning_rate (line 2): unknown field")]
    [InlineData("hyperparameters: { gradient_clip_norm: .inf }\n", "spec.hyperparameters.gradient_clip_norm (line 1): expected a finite number, got '.inf'")]
    [InlineData("lr: [1, 2\n", "hypes.text (line 2): not valid YAML")]
    [InlineData("task_type: classification\ntask_type: detection\n", "hypes.text (line 2): not valid YAML")]
    [InlineData("labels: [a, b]\n", "spec.labels (line 1): expected a mapping of names to values, got a list")]
    [InlineData("{\"taskType\": \"classification\",\n \"taskType\": \"detection\"}", "spec.task_type (line 2): given twice")]
    [InlineData("{\"priority\": 1,\n \"model\": {\"architecture\": }}", "hypes.text (line 2): not valid JSON")]
    public void Unreadable_documents_name_the_field_and_the_line(string document, string expected)
    {
        var error = Assert.Throws<InvalidJobSpecException>(() => Read(document, HypesFormat.Unspecified));

        Assert.StartsWith(expected, error.Message);
    }

    [Fact]
    public void Every_invalid_value_is_reported_with_its_field_and_line()
    {
        var document = Yaml
            .Replace("learning_rate: 0.05", "learning_rate: 0")
            .Replace("milestone_epochs: [2, 3]", "milestone_epochs: [3, 2]")
            .Replace("priority: 10", "priority: 1000");

        var error = Assert.Throws<InvalidJobSpecException>(() => Read(document, HypesFormat.Yaml));

        Assert.Equal(
            [
                "spec.hyperparameters.optimizer.learning_rate (line 17): must be > 0, got 0",
                "spec.hyperparameters.lr_schedule.milestone_epochs[1] (line 23): milestones must increase and lie within 1..3, got 2",
                "spec.priority (line 30): must be between -100 and 100, got 1000",
            ],
            error.Problems.Select(p => p.Message));
        Assert.StartsWith("3 problems: spec.hyperparameters.optimizer.learning_rate (line 17)", error.Message);
    }

    [Fact]
    public void A_structured_spec_is_validated_the_same_way_without_lines()
    {
        var spec = new JobSpec { TaskType = TaskType.Classification, Model = new ModelSpec { Architecture = "ResNet 18" } };

        var error = Assert.Throws<InvalidJobSpecException>(() => JobSpecReader.Read(new SubmitJobRequest { Spec = spec }));

        Assert.Equal(
            [
                "spec.model.architecture: 'ResNet 18' is not an architecture name (lowercase letters, digits, '_', '.', '-')",
                "spec.dataset.dataset_id: is required",
                "spec.hyperparameters: is required (at least epochs, batch_size and optimizer)",
            ],
            error.Problems.Select(p => p.Message));
    }

    [Theory]
    [InlineData("momentum: 0.9", "kind: adam\n    learning_rate: 0.1\n    momentum: 0.9", "spec.hyperparameters.optimizer.momentum (line 18): applies to sgd only")]
    [InlineData("nesterov: true", "nesterov: true\n    beta1: 0.5", "spec.hyperparameters.optimizer.beta1 (line 20): applies to adam and adamw only")]
    [InlineData("resources: { device: cpu }", "resources: { device: cpu, gpus: 2 }", "spec.resources.device (line 29): is cpu but gpus is 2")]
    [InlineData("task_type: classification", "task_type: detection", "spec.hyperparameters.label_smoothing (line 14): applies to classification only")]
    public void Options_that_do_not_fit_together_are_rejected(string find, string replace, string expected)
    {
        var document = Yaml.Replace(find, replace);
        if (replace.StartsWith("kind: adam"))
        {
            document = document.Replace("    kind: sgd\n    learning_rate: 0.05\n", "").Replace("    nesterov: true\n", "");
        }

        var error = Assert.Throws<InvalidJobSpecException>(() => Read(document, HypesFormat.Yaml));

        Assert.Contains(error.Problems, p => p.Message.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Max_steps_is_bound_when_given_and_absent_otherwise()
    {
        var limited = Read(Yaml.Replace("label_smoothing: 0.1", "label_smoothing: 0.1\n  max_steps: 50"), HypesFormat.Yaml);
        var unlimited = Read(Yaml, HypesFormat.Yaml);

        Assert.True(limited.Hyperparameters.HasMaxSteps);
        Assert.Equal(50, limited.Hyperparameters.MaxSteps);
        Assert.False(unlimited.Hyperparameters.HasMaxSteps);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    public void Max_steps_that_is_not_positive_is_rejected_naming_the_field(string value)
    {
        var document = Yaml.Replace("label_smoothing: 0.1", $"label_smoothing: 0.1\n  max_steps: {value}");

        var error = Assert.Throws<InvalidJobSpecException>(() => Read(document, HypesFormat.Yaml));

        Assert.Contains(error.Problems, p => p.Message == $"spec.hyperparameters.max_steps (line 15): must be a positive number of optimizer steps, got {value}");
    }

    [Fact]
    public void The_example_hypes_files_are_valid()
    {
        var folder = Path.Combine(RepositoryRoot(), "examples", "hypes");
        var files = Directory.GetFiles(folder, "*.yaml");

        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var spec = Read(File.ReadAllText(file), HypesFormat.Yaml);
            Assert.True(spec.Hyperparameters.Epochs > 0, file);
        }
    }

    [Fact]
    public void A_billion_laughs_document_is_refused_while_parsing_naming_the_limit()
    {
        var error = Assert.Throws<InvalidJobSpecException>(() => Read(HypesBombTests.BillionLaughs(), HypesFormat.Yaml));

        Assert.StartsWith("hypes.text (line 4): aliases expand the document to more than", error.Message);
        Assert.Contains($"at most {HypesReader.MaxNodes} values", error.Message);
    }

    [Fact]
    public void More_aliases_than_the_limit_are_refused_even_when_each_is_small()
    {
        var aliases = string.Join(", ", Enumerable.Repeat("*team", HypesReader.MaxAliases + 1));
        var document = $"labels: {{ team: &team vision }}\nx: [{aliases}]\n";

        var error = Assert.Throws<InvalidJobSpecException>(() => Read(document, HypesFormat.Yaml));

        Assert.StartsWith($"hypes.text (line 2): more than {HypesReader.MaxAliases} aliases", error.Message);
    }

    [Fact]
    public void Aliases_that_nest_deeper_than_the_limit_are_refused()
    {
        var document = new System.Text.StringBuilder("a0: &a0 [x]\n");
        for (var level = 1; level <= HypesReader.MaxDepth; level++)
        {
            document.Append($"a{level}: &a{level} [*a{level - 1}]\n");
        }

        var error = Assert.Throws<InvalidJobSpecException>(() => Read(document.ToString(), HypesFormat.Yaml));

        Assert.Contains($"nested deeper than {HypesReader.MaxDepth} levels", error.Message);
    }

    [Fact]
    public void A_few_aliases_within_the_limits_are_read_as_copies()
    {
        var document = Yaml.Replace("  team: vision", "  team: &team vision\n  owner: *team");

        var spec = Read(document, HypesFormat.Yaml);

        Assert.Equal("vision", spec.Labels["owner"]);
    }

    [Fact]
    public void A_json_document_with_more_values_than_the_limit_is_refused()
    {
        var json = $"{{\"labels\": {{}}, \"x\": [{string.Join(",", Enumerable.Repeat("1", HypesReader.MaxNodes))}]}}";

        var error = Assert.Throws<InvalidJobSpecException>(() => Read(json, HypesFormat.Json));

        Assert.Contains($"at most {HypesReader.MaxNodes} values", error.Message);
    }

    [Fact]
    public void Display_names_and_labels_are_bounded_by_the_text_limits()
    {
        var atTheLimit = Read(Yaml.Replace("display_name: fashion cnn", $"display_name: {new string('n', Cauchy.Domain.TextLimits.DisplayName)}"), HypesFormat.Yaml);
        Assert.Equal(Cauchy.Domain.TextLimits.DisplayName, atTheLimit.DisplayName.Length);

        var tooLong = Assert.Throws<InvalidJobSpecException>(() => Read(Yaml.Replace("display_name: fashion cnn", $"display_name: {new string('n', 100_000)}"), HypesFormat.Yaml));
        Assert.Contains(tooLong.Problems, p => p.Message == $"spec.display_name (line 1): has 100000 characters; at most {Cauchy.Domain.TextLimits.DisplayName} are accepted");

        var labels = string.Concat(Enumerable.Range(0, Cauchy.Domain.TextLimits.LabelCount + 1).Select(i => $"\n  key{i}: v"));
        var tooMany = Assert.Throws<InvalidJobSpecException>(() => Read(Yaml.Replace("labels:\n  team: vision", "labels:" + labels), HypesFormat.Yaml));
        Assert.Contains(tooMany.Problems, p => p.Message.StartsWith($"spec.labels (line 34): has {Cauchy.Domain.TextLimits.LabelCount + 1} labels; at most {Cauchy.Domain.TextLimits.LabelCount}", StringComparison.Ordinal));

        var longValue = Assert.Throws<InvalidJobSpecException>(() => Read(Yaml.Replace("team: vision", $"team: {new string('v', 64)}"), HypesFormat.Yaml));
        Assert.Contains(longValue.Problems, p => p.Message.StartsWith("spec.labels.team", StringComparison.Ordinal) && p.Message.Contains("at most 63"));
    }

    private static JobSpec Read(string text, HypesFormat format) =>
        JobSpecReader.Read(new SubmitJobRequest { Hypes = new HypesDocument { Text = text, Format = format } });

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "cauchy-k8s.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("cauchy-k8s.sln not found above " + AppContext.BaseDirectory);
    }
}

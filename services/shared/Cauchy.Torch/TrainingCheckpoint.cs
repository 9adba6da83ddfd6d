using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cauchy.Torch.Data;
using Cauchy.Torch.Optimization;

namespace Cauchy.Torch;

/// <summary>
/// Everything a resumed run needs to continue bit for bit, in one safetensors file: the model's state dict
/// ("model.&lt;key&gt;"), the optimizer's per-parameter state ("optimizer.&lt;index&gt;.&lt;entry&gt;") and groups, the
/// scheduler's state, libtorch's CPU and CUDA generators ("rng.cpu", "rng.cuda.&lt;device&gt;") and the data loader's position, the non-tensor parts as
/// JSON strings in the header's metadata. Python's safetensors can open the file; the weights are plain tensors.
/// Resume order, as in PyTorch: build model, optimizer and scheduler, then <see cref="LoadModelInto"/> and
/// <see cref="Restore"/>, then continue from <see cref="Loader"/>.
/// </summary>
public sealed class TrainingCheckpoint : IDisposable
{
    private const string FormatKey = "cauchy.checkpoint";
    private const string FormatVersion = "1";
    private const string ModelPrefix = "model.";
    private const string OptimizerPrefix = "optimizer.";
    private const string RngKey = "rng.cpu";
    private const string CudaRngPrefix = "rng.cuda.";

    // Model tensors read from a file belong to this object; captured ones belong to the live model.
    private bool loaded;

    public Dictionary<string, Tensor> Model { get; } = new(StringComparer.Ordinal);

    public OptimizerStateDict? Optimizer { get; set; }

    public JsonObject? Scheduler { get; set; }

    /// <summary>libtorch's CPU generator state (dropout masks, randn) at capture time.</summary>
    public Tensor? RngState { get; set; }

    /// <summary>Each CUDA device's generator state by device index (empty without CUDA).</summary>
    public SortedDictionary<int, Tensor> CudaRngStates { get; } = [];

    public LoaderPosition? Loader { get; set; }

    /// <summary>Free-form strings stored alongside (job id, metrics, ...).</summary>
    public Dictionary<string, string> Metadata { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Takes the current state. Tensors are shared with the live model and optimizer (no copy), so save before the
    /// next step; the generator state is a copy.
    /// </summary>
    public static TrainingCheckpoint Capture(
        IEnumerable<KeyValuePair<string, Tensor>> modelState, Optimizer? optimizer, LRScheduler? scheduler, LoaderPosition? loader)
    {
        ArgumentNullException.ThrowIfNull(modelState);
        var checkpoint = new TrainingCheckpoint
        {
            Optimizer = optimizer?.state_dict(),
            Scheduler = scheduler?.state_dict(),
            RngState = torch.get_rng_state().DetachFromDisposeScope(),
            Loader = loader,
        };
        foreach ((string key, Tensor value) in modelState)
        {
            checkpoint.Model[key] = value;
        }

        if (torch.cuda.is_available())
        {
            for (int device = 0; device < torch.cuda.device_count(); device++)
            {
                checkpoint.CudaRngStates[device] = torch.get_rng_state(new Device(DeviceType.CUDA, device)).DetachFromDisposeScope();
            }
        }

        return checkpoint;
    }

    public static TrainingCheckpoint Load(string path)
    {
        Dictionary<string, Tensor> tensors = safetensors.load_file(path, out Dictionary<string, string> metadata);
        var checkpoint = new TrainingCheckpoint { loaded = true };
        try
        {
            if (!metadata.TryGetValue(FormatKey, out string? version) || version != FormatVersion)
            {
                throw new InvalidDataException($"{path}: not a Cauchy training checkpoint (metadata '{FormatKey}' is {version ?? "missing"}, expected {FormatVersion})");
            }

            var optimizerState = new Dictionary<int, Dictionary<string, Tensor>>();
            foreach ((string key, Tensor value) in tensors)
            {
                if (key.StartsWith(ModelPrefix, StringComparison.Ordinal))
                {
                    checkpoint.Model[key[ModelPrefix.Length..]] = value;
                }
                else if (key == RngKey)
                {
                    checkpoint.RngState = value;
                }
                else if (key.StartsWith(CudaRngPrefix, StringComparison.Ordinal)
                    && int.TryParse(key[CudaRngPrefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out int device))
                {
                    checkpoint.CudaRngStates[device] = value;
                }
                else if (key.StartsWith(OptimizerPrefix, StringComparison.Ordinal)
                    && key[OptimizerPrefix.Length..].Split('.', 2) is [string index, string entry]
                    && int.TryParse(index, NumberStyles.None, CultureInfo.InvariantCulture, out int slot))
                {
                    if (!optimizerState.TryGetValue(slot, out Dictionary<string, Tensor>? entries))
                    {
                        optimizerState[slot] = entries = new Dictionary<string, Tensor>(StringComparer.Ordinal);
                    }

                    entries[entry] = value;
                }
                else
                {
                    value.Dispose();
                    throw new InvalidDataException($"{path}: unexpected tensor '{key}' in a training checkpoint");
                }
            }

            if (metadata.TryGetValue("optimizer.param_groups", out string? groupsJson))
            {
                checkpoint.Optimizer = new OptimizerStateDict();
                foreach ((int slot, Dictionary<string, Tensor> entries) in optimizerState)
                {
                    checkpoint.Optimizer.state[slot] = entries;
                }

                foreach (JsonNode? group in ParseJson(groupsJson, path, "optimizer.param_groups").AsArray())
                {
                    var options = group!["options"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<double>(), StringComparer.Ordinal);
                    int[] indices = group["params"]!.AsArray().Select(v => v!.GetValue<int>()).ToArray();
                    checkpoint.Optimizer.param_groups.Add(new ParamGroupState(options, indices));
                }
            }
            else if (optimizerState.Count > 0)
            {
                throw new InvalidDataException($"{path}: optimizer state without 'optimizer.param_groups' metadata");
            }

            if (metadata.TryGetValue("scheduler", out string? schedulerJson))
            {
                checkpoint.Scheduler = ParseJson(schedulerJson, path, "scheduler").AsObject();
            }

            if (metadata.TryGetValue("loader", out string? loaderJson))
            {
                JsonNode loader = ParseJson(loaderJson, path, "loader");
                checkpoint.Loader = new LoaderPosition(loader["epoch"]!.GetValue<int>(), loader["batch"]!.GetValue<int>());
            }

            if (metadata.TryGetValue("user", out string? userJson))
            {
                foreach ((string key, JsonNode? value) in ParseJson(userJson, path, "user").AsObject())
                {
                    checkpoint.Metadata[key] = value!.GetValue<string>();
                }
            }

            return checkpoint;
        }
        catch
        {
            checkpoint.Dispose();
            foreach (Tensor tensor in tensors.Values)
            {
                tensor.Dispose();
            }

            throw;
        }
    }

    public void Save(string path)
    {
        var tensors = new List<KeyValuePair<string, Tensor>>();
        foreach ((string key, Tensor value) in Model)
        {
            tensors.Add(new(ModelPrefix + key, value));
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { [FormatKey] = FormatVersion };
        if (Optimizer is not null)
        {
            foreach ((int slot, Dictionary<string, Tensor> entries) in Optimizer.state)
            {
                foreach ((string name, Tensor value) in entries)
                {
                    tensors.Add(new($"{OptimizerPrefix}{slot.ToString(CultureInfo.InvariantCulture)}.{name}", value));
                }
            }

            var groups = new JsonArray();
            foreach (ParamGroupState group in Optimizer.param_groups)
            {
                var options = new JsonObject();
                foreach ((string key, double value) in group.options)
                {
                    options[key] = value;
                }

                groups.Add(new JsonObject
                {
                    ["options"] = options,
                    ["params"] = new JsonArray(group.@params.Select(i => (JsonNode?)JsonValue.Create(i)).ToArray()),
                });
            }

            metadata["optimizer.param_groups"] = groups.ToJsonString();
        }

        if (RngState is not null)
        {
            tensors.Add(new(RngKey, RngState));
        }

        foreach ((int device, Tensor state) in CudaRngStates)
        {
            tensors.Add(new(CudaRngPrefix + device.ToString(CultureInfo.InvariantCulture), state));
        }

        if (Scheduler is not null)
        {
            metadata["scheduler"] = Scheduler.ToJsonString();
        }

        if (Loader is not null)
        {
            metadata["loader"] = new JsonObject { ["epoch"] = Loader.Epoch, ["batch"] = Loader.Batch }.ToJsonString();
        }

        if (Metadata.Count > 0)
        {
            var user = new JsonObject();
            foreach ((string key, string value) in Metadata)
            {
                user[key] = value;
            }

            metadata["user"] = user.ToJsonString();
        }

        safetensors.save_file(tensors, path, metadata);
    }

    /// <summary>
    /// Copies the saved weights into <paramref name="target"/>'s tensors in place (e.g. a model's parameters and
    /// buffers). Missing or unexpected keys and shape mismatches fail, naming the keys, before anything is copied.
    /// </summary>
    public void LoadModelInto(IEnumerable<KeyValuePair<string, Tensor>> target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var destination = target.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        string[] missing = destination.Keys.Where(k => !Model.ContainsKey(k)).ToArray();
        string[] unexpected = Model.Keys.Where(k => !destination.ContainsKey(k)).ToArray();
        if (missing.Length > 0 || unexpected.Length > 0)
        {
            throw new ArgumentException(
                $"checkpoint does not match the model: missing keys [{string.Join(", ", missing)}], unexpected keys [{string.Join(", ", unexpected)}]", nameof(target));
        }

        foreach ((string key, Tensor value) in destination)
        {
            long[] expected = value.shape;
            long[] actual = Model[key].shape;
            if (!expected.SequenceEqual(actual))
            {
                throw new ArgumentException($"'{key}': checkpoint has shape [{string.Join(", ", actual)}], the model has [{string.Join(", ", expected)}]", nameof(target));
            }
        }

        foreach ((string key, Tensor value) in destination)
        {
            NativeMethods.Check(NativeMethods.cauchy_optim_copy_(value.Handle, Model[key].Handle));
        }
    }

    /// <summary>Restores optimizer and scheduler state (when saved and given) and libtorch's generators.</summary>
    public void Restore(Optimizer? optimizer, LRScheduler? scheduler)
    {
        if (optimizer is not null)
        {
            optimizer.load_state_dict(Optimizer ?? throw new InvalidOperationException("the checkpoint holds no optimizer state"));
        }

        if (scheduler is not null)
        {
            scheduler.load_state_dict(Scheduler ?? throw new InvalidOperationException("the checkpoint holds no scheduler state"));
        }

        if (RngState is not null)
        {
            torch.set_rng_state(RngState);
        }

        // A run resumed on a machine with fewer GPUs restores the devices it has.
        int devices = CudaRngStates.Count > 0 && torch.cuda.is_available() ? torch.cuda.device_count() : 0;
        foreach ((int device, Tensor state) in CudaRngStates)
        {
            if (device < devices)
            {
                torch.set_rng_state(state, new Device(DeviceType.CUDA, device));
            }
        }
    }

    /// <summary>Releases the handles this object holds (the optimizer state and generator copy; model tensors too when loaded from a file).</summary>
    public void Dispose()
    {
        Optimizer?.Dispose();
        RngState?.Dispose();
        foreach (Tensor state in CudaRngStates.Values)
        {
            state.Dispose();
        }

        if (loaded)
        {
            foreach (Tensor tensor in Model.Values)
            {
                tensor.Dispose();
            }
        }
    }

    private static JsonNode ParseJson(string json, string path, string key)
    {
        try
        {
            return JsonNode.Parse(json) ?? throw new InvalidDataException($"{path}: metadata '{key}' is null");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: metadata '{key}' is not valid JSON: {e.Message}", e);
        }
    }
}

using System.Text.Json.Nodes;

namespace Cauchy.Torch.Optimization;

/// <summary>
/// Runs schedulers one after another, switching at the milestones (PyTorch's SequentialLR): e.g. a LinearLR warm-up
/// for 5 epochs, then CosineAnnealingLR. The next scheduler starts from its closed form at epoch 0.
/// </summary>
public sealed class SequentialLR : LRScheduler
{
    private readonly LRScheduler[] schedulers;

    public SequentialLR(Optimizer optimizer, IReadOnlyList<LRScheduler> schedulers, IReadOnlyList<int> milestones, int last_epoch = -1)
        : base(optimizer)
    {
        ArgumentNullException.ThrowIfNull(schedulers);
        ArgumentNullException.ThrowIfNull(milestones);
        if (schedulers.Count == 0)
        {
            throw new ArgumentException("SequentialLR needs at least one scheduler", nameof(schedulers));
        }

        for (int i = 0; i < schedulers.Count; i++)
        {
            if (!ReferenceEquals(schedulers[i].optimizer, optimizer))
            {
                throw new ArgumentException(
                    $"Sequential Schedulers expects all schedulers to belong to the same optimizer, but got schedulers at index {i} to be different than the optimizer passed in.",
                    nameof(schedulers));
            }
        }

        if (milestones.Count != schedulers.Count - 1)
        {
            throw new ArgumentException(
                $"Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points, but got number of schedulers {schedulers.Count} and the number of milestones to be equal to {milestones.Count}",
                nameof(milestones));
        }

        this.schedulers = schedulers.ToArray();
        this.milestones = milestones.ToArray();
        this.last_epoch = last_epoch + 1;
        foreach (ParamGroup group in optimizer.param_groups)
        {
            group.lr = group["initial_lr"];
        }

        foreach (LRScheduler scheduler in this.schedulers)
        {
            scheduler.last_epoch -= 1;
        }

        this.schedulers[0].InitialStep();
        SetLastLr(this.schedulers[0].get_last_lr());
    }

    public IReadOnlyList<int> milestones { get; }

    public override void step()
    {
        last_epoch++;
        int index = milestones.Count(m => m <= last_epoch);
        LRScheduler scheduler = schedulers[index];
        if (index > 0 && milestones[index - 1] == last_epoch)
        {
            scheduler.StepTo(0);
        }
        else
        {
            scheduler.step();
        }

        SetLastLr(scheduler.get_last_lr());
    }

    public override JsonObject state_dict()
    {
        var state = new JsonObject
        {
            ["type"] = nameof(SequentialLR),
            ["last_epoch"] = last_epoch,
            ["_last_lr"] = Numbers(get_last_lr()),
            ["_milestones"] = new JsonArray(milestones.Select(m => (JsonNode?)JsonValue.Create(m)).ToArray()),
            ["_schedulers"] = new JsonArray(schedulers.Select(s => (JsonNode?)s.state_dict()).ToArray()),
        };
        return state;
    }

    public override void load_state_dict(JsonObject state_dict)
    {
        ArgumentNullException.ThrowIfNull(state_dict);
        string type = Required(state_dict, "type").GetValue<string>();
        if (type != nameof(SequentialLR))
        {
            throw new ArgumentException($"the state dict is a {type}'s, this scheduler is a SequentialLR", nameof(state_dict));
        }

        JsonArray inner = Required(state_dict, "_schedulers").AsArray();
        if (inner.Count != schedulers.Count())
        {
            throw new ArgumentException($"the state dict holds {inner.Count} schedulers, this SequentialLR has {schedulers.Length}", nameof(state_dict));
        }

        last_epoch = Required(state_dict, "last_epoch").GetValue<int>();
        SetLastLr(Doubles(Required(state_dict, "_last_lr")));
        for (int i = 0; i < schedulers.Length; i++)
        {
            schedulers[i].load_state_dict(inner[i]!.AsObject());
        }
    }

    private protected override double[] get_lr() => get_last_lr().ToArray();
}

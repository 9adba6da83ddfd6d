namespace Cauchy.Torch.Optimization;

/// <summary>One parameter group in an optimizer state dict: its options and the indices of its parameters.</summary>
public sealed record ParamGroupState(IReadOnlyDictionary<string, double> options, IReadOnlyList<int> @params);

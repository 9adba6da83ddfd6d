namespace Cauchy.Torch.Models;

/// <summary>
/// A small CNN for 28×28 images (Fashion-MNIST): two 3×3 conv + batch-norm + ReLU + 2×2 max-pool stages (32 and
/// 64 channels), then a 128-unit hidden layer with dropout and the classifier. 421,834 parameters for one input
/// channel and 10 classes. PyTorch's default initialisation for every layer.
/// </summary>
public sealed class SmallCnn : nn.Module<Tensor, Tensor>
{
    private readonly nn.Conv2d conv1;
    private readonly nn.BatchNorm2d bn1;
    private readonly nn.Conv2d conv2;
    private readonly nn.BatchNorm2d bn2;
    private readonly nn.Linear fc1;
    private readonly nn.Dropout dropout;
    private readonly nn.Linear fc2;

    public SmallCnn(ModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ModelZoo.RejectSmallImageStem(options, "small_cnn");
        conv1 = new nn.Conv2d(options.InChannels, 32, 3, padding: 1);
        bn1 = new nn.BatchNorm2d(32);
        conv2 = new nn.Conv2d(32, 64, 3, padding: 1);
        bn2 = new nn.BatchNorm2d(64);
        fc1 = new nn.Linear(64 * 7 * 7, 128);
        dropout = new nn.Dropout(options.Dropout ?? 0.25);
        fc2 = new nn.Linear(128, options.NumClasses);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = torch.NewDisposeScope();
        Tensor x = nn.functional.max_pool2d(nn.functional.relu(bn1.call(conv1.call(input))), 2);
        x = nn.functional.max_pool2d(nn.functional.relu(bn2.call(conv2.call(x))), 2);
        x = nn.functional.relu(fc1.call(x.flatten(1)));
        return fc2.call(dropout.call(x)).MoveToOuterDisposeScope();
    }
}

namespace Cauchy.Datasets.Tests.Support;

/// <summary>One drawn object: its class (index into <see cref="Shapes.ClassNames"/>) and its half-open box.</summary>
public sealed record ShapeObject(int ClassId, int X0, int Y0, int X1, int Y1);

/// <summary>One generated image: RGB pixels, its objects, and a mask of class ids + 1 (0 = background).</summary>
public sealed record ShapeImage(string Name, int Width, int Height, byte[] Rgb, List<ShapeObject> Objects, byte[] Mask)
{
    public byte[] Png() => PngWriter.Rgb(Width, Height, Rgb);

    public byte[] MaskPng() => PngWriter.Grey(Width, Height, Mask);
}

/// <summary>
/// The deterministic "shapes" set: images of a dark background with one to three filled circles, squares and
/// triangles, each class in its own colour; boxes and masks come from the drawing itself.
/// </summary>
public static class Shapes
{
    public static readonly string[] ClassNames = ["circle", "square", "triangle"];

    private static readonly byte[][] Colours = [[220, 40, 40], [40, 200, 60], [50, 80, 230]];

    public static List<ShapeImage> Generate(int count, int seed, int width = 64, int height = 48)
    {
        var random = new Random(seed);
        var images = new List<ShapeImage>();
        for (var i = 0; i < count; i++)
        {
            var rgb = new byte[width * height * 3];
            for (var p = 0; p < rgb.Length; p++)
            {
                rgb[p] = (byte)(20 + random.Next(10));
            }
            var mask = new byte[width * height];
            var objects = new List<ShapeObject>();
            var n = 1 + random.Next(3);
            for (var o = 0; o < n; o++)
            {
                var classId = random.Next(ClassNames.Length);
                var size = 8 + random.Next(16);
                var x0 = random.Next(width - size);
                var y0 = random.Next(height - size);
                Draw(rgb, mask, width, classId, x0, y0, size);
                objects.Add(new ShapeObject(classId, x0, y0, x0 + size, y0 + size));
            }
            images.Add(new ShapeImage($"img{i:D4}", width, height, rgb, objects, mask));
        }
        return images;
    }

    private static void Draw(byte[] rgb, byte[] mask, int width, int classId, int x0, int y0, int size)
    {
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                var inside = classId switch
                {
                    0 => Math.Pow(x + 0.5 - (size / 2.0), 2) + Math.Pow(y + 0.5 - (size / 2.0), 2) <= size * size / 4.0,
                    1 => true,
                    _ => Math.Abs(x + 0.5 - (size / 2.0)) <= (y + 1) / 2.0,
                };
                if (!inside)
                {
                    continue;
                }
                var p = ((y0 + y) * width) + x0 + x;
                mask[p] = (byte)(classId + 1);
                Colours[classId].CopyTo(rgb, p * 3);
            }
        }
    }
}

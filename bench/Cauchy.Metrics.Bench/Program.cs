using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Cauchy.Cli.Coco;
using Cauchy.Metrics.Evaluations;
using Cauchy.V1;

// make bench-metrics (see docs/benchmarks.md): the metrics service's COCO evaluation, in process, as the service runs
// it (messages checked and converted, each image matched as it arrives, then accumulate and summarize).
// 1. Every reference case under tests/Cauchy.Metrics.Tests/reference/coco against pycocotools' answers (all stats
//    and per-category values within 1e-9).
// 2. The largest reference case, timed.
// 3. Synthetic cases of 500 images / 20,000 detections (pycocotools' known cost) and 5,000 images / 200,000
//    detections, 80 categories, generated image by image while streaming so that memory shows what the evaluation
//    keeps. Only the evaluation's own time is counted.
var rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
var root = FindRoot();
var casesFolder = Path.Combine(root, "tests", "Cauchy.Metrics.Tests", "reference", "coco");

var equal = 0;
var total = 0;
(string Name, int Detections, CocoFiles Files)? largest = null;
foreach (var dir in Directory.GetDirectories(casesFolder).Order())
{
    using var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "expected.json")));
    foreach (var result in expected.RootElement.GetProperty("results").EnumerateObject())
    {
        var iouType = result.Name == "segm" ? CocoIouType.Segm : CocoIouType.Bbox;
        var files = CocoFiles.Read(Path.Combine(dir, "gt.json"), Path.Combine(dir, "dt.json"), iouType);
        var evaluation = Evaluate(files.Categories, iouType, files.Batches());
        var same = Matches(evaluation.Detection, result.Value, out var difference);
        total++;
        equal += same ? 1 : 0;
        Console.WriteLine($"case {Path.GetFileName(dir)} {result.Name}: {files.Images.Count} images, {files.DetectionCount} detections, "
            + (same ? "equal to pycocotools" : $"DIFFERS: {difference}"));
        if (iouType == CocoIouType.Bbox && (largest is null || files.DetectionCount > largest.Value.Detections))
        {
            largest = (Path.GetFileName(dir), files.DetectionCount, files);
        }
    }
}

var (name, detections, largestFiles) = largest!.Value;
var batches = largestFiles.Batches().ToList();
Evaluate(largestFiles.Categories, CocoIouType.Bbox, batches); // warm-up
var times = Enumerable.Range(0, rounds * 4).Select(_ => Time(() => Evaluate(largestFiles.Categories, CocoIouType.Bbox, batches))).Order().ToList();
Console.WriteLine($"largest case {name} (bbox, {detections} detections): median {times[times.Count / 2] * 1000:F1} ms over {times.Count} runs, "
    + $"{detections / times[times.Count / 2]:F0} detections/s");

Synthetic(500, 40, seed: 1); // warm-up
var small = Synthetic(500, 40, seed: 1);
Console.WriteLine($"synthetic 500 images, 20000 detections: {small.Seconds * 1000:F0} ms, {small.Detections / small.Seconds:F0} detections/s, AP {small.Map:F4} "
    + "(pycocotools: about 4.4 s of CPU for this size)");
var runs = Enumerable.Range(0, rounds).Select(r => Synthetic(5000, 40, seed: 2 + r)).OrderBy(r => r.Seconds).ToList();
var median = runs[runs.Count / 2];
Console.WriteLine($"synthetic 5000 images, {median.Detections} detections: {string.Join(" ", runs.Select(r => $"{r.Seconds:F2}s"))}; "
    + $"median {median.Seconds:F2} s, {median.Detections / median.Seconds:F0} detections/s, AP {median.Map:F4}");

var peak = PeakRssMib();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"metrics coco_cases_equal={equal}/{total} detections_per_s={median.Detections / median.Seconds:F0} peak_rss_mib={peak:F0}"));
return equal == total ? 0 : 1;

static Evaluation Evaluate(IEnumerable<CocoCategory> categories, CocoIouType iouType, IEnumerable<CocoImages> batches)
{
    var options = new CocoOptions { IouType = iouType };
    options.Categories.AddRange(categories);
    var session = EvaluationSession.Start(new EvaluationHeader { Kind = EvaluationKind.DetectionCoco, Coco = options });
    foreach (var batch in batches)
    {
        session.Add(new PredictionBatch { Coco = batch });
    }

    return session.Finish("bench");
}

static bool Matches(DetectionResult result, JsonElement expected, out string difference)
{
    var stats = expected.GetProperty("stats").EnumerateArray().Select(v => v.GetDouble()).ToArray();
    for (var i = 0; i < stats.Length; i++)
    {
        if (Math.Abs(stats[i] - result.Stats[i]) > 1e-9)
        {
            difference = $"stats[{i}] {result.Stats[i]:R}, pycocotools {stats[i]:R}";
            return false;
        }
    }

    foreach (var c in result.PerClass)
    {
        var want = expected.GetProperty("per_category").GetProperty(c.ClassId.ToString(CultureInfo.InvariantCulture));
        if (Math.Abs(want.GetProperty("AP").GetDouble() - c.Ap) > 1e-9 || Math.Abs(want.GetProperty("AP50").GetDouble() - c.Ap50) > 1e-9
            || Math.Abs(want.GetProperty("AR100").GetDouble() - c.Ar100) > 1e-9)
        {
            difference = $"category {c.ClassId}";
            return false;
        }
    }

    difference = "";
    return true;
}

static (double Seconds, long Detections, double Map) Synthetic(int images, int detectionsPerImage, int seed)
{
    const int Categories = 80;
    var random = new Random(seed);
    var options = new CocoOptions { IouType = CocoIouType.Bbox };
    options.Categories.AddRange(Enumerable.Range(1, Categories).Select(c => new CocoCategory { Id = c, Name = $"c{c}" }));
    var session = EvaluationSession.Start(new EvaluationHeader { Kind = EvaluationKind.DetectionCoco, Coco = options });
    var clock = new Stopwatch();
    long detections = 0;
    long annotationId = 1;
    for (var i = 0; i < images; i++)
    {
        // Seven objects per image of a few categories; half the detections near an object (some with the wrong
        // category), the rest anywhere, with scores in steps of 0.001 so that ties happen.
        var image = new CocoImage { ImageId = i + 1, Width = 640, Height = 480 };
        for (var g = 0; g < 7; g++)
        {
            var w = 4 + random.NextDouble() * 300;
            var h = 4 + random.NextDouble() * 300;
            image.Annotations.Add(new CocoAnnotation
            {
                Id = annotationId++,
                CategoryId = 1 + random.Next(Categories / 8) * 8 % Categories + g % 3,
                Bbox = new CocoBox { X = random.NextDouble() * (640 - w), Y = random.NextDouble() * (480 - h), Width = w, Height = h },
                Area = w * h * (0.6 + 0.3 * random.NextDouble()),
                Iscrowd = random.Next(50) == 0,
            });
        }

        for (var d = 0; d < detectionsPerImage; d++)
        {
            var near = d % 2 == 0 ? image.Annotations[random.Next(image.Annotations.Count)] : null;
            var box = near is null
                ? new CocoBox { X = random.NextDouble() * 600, Y = random.NextDouble() * 440, Width = 4 + random.NextDouble() * 200, Height = 4 + random.NextDouble() * 200 }
                : new CocoBox
                {
                    X = near.Bbox.X + (random.NextDouble() - .5) * near.Bbox.Width * .3,
                    Y = near.Bbox.Y + (random.NextDouble() - .5) * near.Bbox.Height * .3,
                    Width = near.Bbox.Width * (0.8 + 0.4 * random.NextDouble()),
                    Height = near.Bbox.Height * (0.8 + 0.4 * random.NextDouble()),
                };
            image.Detections.Add(new CocoDetection
            {
                CategoryId = near is not null && random.Next(4) > 0 ? near.CategoryId : 1 + random.Next(Categories),
                Score = Math.Round(random.NextDouble(), 3),
                Bbox = box,
            });
        }

        detections += image.Detections.Count;
        var batch = new PredictionBatch { Coco = new CocoImages { Images = { image } } };
        clock.Start();
        session.Add(batch);
        clock.Stop();
    }

    clock.Start();
    var evaluation = session.Finish("bench");
    clock.Stop();
    return (clock.Elapsed.TotalSeconds, detections, evaluation.Detection.Map);
}

static double Time(Action action)
{
    var clock = Stopwatch.StartNew();
    action();
    return clock.Elapsed.TotalSeconds;
}

static double PeakRssMib()
{
    var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
    return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
}

static string FindRoot()
{
    var dir = AppContext.BaseDirectory;
    while (dir is not null && !File.Exists(Path.Combine(dir, "cauchy-k8s.sln")))
    {
        dir = Path.GetDirectoryName(dir);
    }

    return dir ?? throw new InvalidOperationException("run from inside the repository");
}

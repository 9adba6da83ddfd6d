namespace Cauchy.Metrics.Coco;

/// <summary>
/// COCO evaluation as pycocotools' <c>COCOeval</c> computes it (evaluate, accumulate, summarize), fed one image at a
/// time. Each image is matched as soon as it arrives, and only a compact outcome per kept detection and area range is
/// retained (score, rank, and a matched and an ignored bit per IoU threshold), so memory grows with the detections
/// kept, never with masks or the ground truth. The order of every sort, tie and floating-point operation follows
/// pycocotools, so the numbers are equal to its own.
/// </summary>
public sealed class CocoEvaluator
{
    private const int MaxThresholds = 64;

    /// <summary>NumPy's <c>spacing(1)</c>, which pycocotools adds to precision's denominator.</summary>
    private const double Spacing = 2.220446049250313e-16;

    private readonly CocoParameters _parameters;
    private readonly CocoCategory[] _categories;
    private readonly Dictionary<int, int> _categoryIndex;
    private readonly List<DetectionOutcome>[] _outcomes; // [group, area range]
    private readonly long[] _groundTruthNotIgnored; // [group, area range]
    private readonly long[] _groundTruthCount; // by category
    private readonly long[] _detectionCount; // by category
    private readonly int _maxDetections;
    private long _imageCount;

    public CocoEvaluator(CocoParameters parameters, IEnumerable<CocoCategory> categories)
    {
        if (parameters.IouThresholds.Count is 0 or > MaxThresholds)
        {
            throw new ArgumentException($"between 1 and {MaxThresholds} IoU thresholds are needed", nameof(parameters));
        }

        _parameters = parameters;
        _categories = [.. categories.OrderBy(c => c.Id)];
        _categoryIndex = _categories.Select((c, i) => (c.Id, i)).ToDictionary(p => p.Id, p => p.i);
        var groups = GroupCount * parameters.AreaRanges.Count;
        _outcomes = [.. Enumerable.Range(0, groups).Select(_ => new List<DetectionOutcome>())];
        _groundTruthNotIgnored = new long[groups];
        _groundTruthCount = new long[_categories.Length];
        _detectionCount = new long[_categories.Length];
        _maxDetections = parameters.MaxDetections[^1];
    }

    public long ImageCount => _imageCount;

    /// <summary>Detections retained for the summary (each once per area range).</summary>
    public long RetainedDetections => _outcomes.Sum(o => (long)o.Count);

    private int GroupCount => _parameters.UseCategories ? _categories.Length : 1;

    public bool HasCategory(int id) => _categoryIndex.ContainsKey(id);

    /// <summary>
    /// Evaluates one image with all its ground truth and detections. Every category id must be one of the
    /// evaluator's; masks (segm) and keypoints (keypoints) must be present where the IoU type needs them.
    /// </summary>
    public void AddImage(CocoImage image, IReadOnlyList<CocoGroundTruth> groundTruth, IReadOnlyList<CocoDetection> detections)
    {
        _imageCount++;
        var k = _categories.Length;
        var gtByCategory = new List<CocoGroundTruth>?[k];
        var dtByCategory = new List<CocoDetection>?[k];
        foreach (var g in groundTruth)
        {
            var c = _categoryIndex[g.CategoryId];
            (gtByCategory[c] ??= []).Add(g);
            if (!g.IsCrowd && !(_parameters.IouType == CocoIouType.Keypoints && g.NumKeypoints == 0))
            {
                _groundTruthCount[c]++;
            }
        }

        foreach (var d in detections)
        {
            (dtByCategory[_categoryIndex[d.CategoryId]] ??= []).Add(d);
        }

        if (_parameters.UseCategories)
        {
            for (var c = 0; c < k; c++)
            {
                if (gtByCategory[c] is not null || dtByCategory[c] is not null)
                {
                    _detectionCount[c] += Evaluate(image, c, gtByCategory[c] ?? [], dtByCategory[c] ?? []);
                }
            }
        }
        else
        {
            // Class-agnostic: pycocotools pools an image's objects category by category, in ascending id order.
            var gts = gtByCategory.Where(g => g is not null).SelectMany(g => g!).ToList();
            var dts = dtByCategory.Where(d => d is not null).SelectMany(d => d!).ToList();
            if (gts.Count > 0 || dts.Count > 0)
            {
                Evaluate(image, 0, gts, dts);
            }
        }
    }

    /// <summary>Matches one image's objects of one group; returns how many detections were kept.</summary>
    private int Evaluate(CocoImage image, int group, List<CocoGroundTruth> gts, List<CocoDetection> dts)
    {
        // Highest score first; a stable sort keeps ties in arrival order, as pycocotools' mergesort does.
        var sorted = dts.Select((d, i) => (d, i)).OrderByDescending(p => p.d.Score).Select(p => p.d).Take(_maxDetections).ToArray();
        var ious = ComputeIous(image, gts, sorted);
        var thresholds = _parameters.IouThresholds;
        var areas = _parameters.AreaRanges;
        var g = gts.Count;
        var d = sorted.Length;

        var order = new int[g];
        var ignored = new bool[g];
        var crowd = new bool[g];
        var gtMatched = new bool[g];
        for (var a = 0; a < areas.Count; a++)
        {
            // Ground truth: not ignored first, then ignored, each in arrival order.
            var notIgnored = 0;
            for (var j = 0; j < g; j++)
            {
                if (!IsIgnored(gts[j], areas[a]))
                {
                    order[notIgnored++] = j;
                }
            }

            var n = notIgnored;
            for (var j = 0; j < g; j++)
            {
                if (IsIgnored(gts[j], areas[a]))
                {
                    order[n++] = j;
                }
            }

            for (var j = 0; j < g; j++)
            {
                ignored[j] = j >= notIgnored;
                crowd[j] = gts[order[j]].IsCrowd;
            }

            var matched = new ulong[d];
            var dtIgnored = new ulong[d];
            for (var t = 0; t < thresholds.Count && ious is not null; t++)
            {
                Array.Clear(gtMatched);
                var bit = 1UL << t;
                for (var i = 0; i < d; i++)
                {
                    var best = Math.Min(thresholds[t], 1 - 1e-10);
                    var m = -1;
                    for (var j = 0; j < g; j++)
                    {
                        if (gtMatched[j] && !crowd[j])
                        {
                            continue;
                        }

                        // Once matched to a regular object, ignored objects (sorted last) cannot do better.
                        if (m > -1 && !ignored[m] && ignored[j])
                        {
                            break;
                        }

                        var iou = ious[i * g + order[j]];
                        if (iou < best)
                        {
                            continue;
                        }

                        best = iou;
                        m = j;
                    }

                    if (m == -1)
                    {
                        continue;
                    }

                    if (ignored[m])
                    {
                        dtIgnored[i] |= bit;
                    }

                    // pycocotools records the match as the object's id and tests it for truth: an object with id 0
                    // counts as no match.
                    if (gts[order[m]].Id != 0)
                    {
                        matched[i] |= bit;
                    }

                    gtMatched[m] = true;
                }
            }

            var allBits = thresholds.Count == 64 ? ulong.MaxValue : (1UL << thresholds.Count) - 1;
            var outcomes = _outcomes[group * areas.Count + a];
            for (var i = 0; i < d; i++)
            {
                // An unmatched detection outside the area range is ignored.
                if (!areas[a].Contains(sorted[i].Area))
                {
                    dtIgnored[i] |= ~matched[i] & allBits;
                }

                outcomes.Add(new DetectionOutcome(sorted[i].Score, image.Id, i, matched[i], dtIgnored[i]));
            }

            _groundTruthNotIgnored[group * areas.Count + a] += notIgnored;
        }

        return d;
    }

    private bool IsIgnored(CocoGroundTruth g, AreaRange area) =>
        g.IsCrowd || (_parameters.IouType == CocoIouType.Keypoints && g.NumKeypoints == 0) || !area.Contains(g.Area);

    /// <summary>IoUs (or OKS) of the sorted detections with the objects, detection-major; null when either is empty.</summary>
    private double[]? ComputeIous(CocoImage image, List<CocoGroundTruth> gts, CocoDetection[] dts)
    {
        if (gts.Count == 0 || dts.Length == 0)
        {
            return null;
        }

        var g = gts.Count;
        var ious = new double[dts.Length * g];
        switch (_parameters.IouType)
        {
            case CocoIouType.Bbox:
                for (var i = 0; i < dts.Length; i++)
                {
                    for (var j = 0; j < g; j++)
                    {
                        ious[i * g + j] = Box.Iou(dts[i].Box, gts[j].Box, gts[j].IsCrowd);
                    }
                }

                break;
            case CocoIouType.Segm:
                for (var i = 0; i < dts.Length; i++)
                {
                    var mask = dts[i].Mask ?? Outline(image, dts[i].Box);
                    for (var j = 0; j < g; j++)
                    {
                        ious[i * g + j] = RunLengthMask.Iou(mask, gts[j].Mask!, gts[j].IsCrowd);
                    }
                }

                break;
            case CocoIouType.Keypoints:
                for (var j = 0; j < g; j++)
                {
                    var sigmas = _categories[_categoryIndex[gts[j].CategoryId]].KeypointSigmas;
                    for (var i = 0; i < dts.Length; i++)
                    {
                        ious[i * g + j] = KeypointSimilarity.Oks(dts[i].Keypoints!, gts[j], sigmas);
                    }
                }

                break;
        }

        return ious;
    }

    /// <summary>The mask pycocotools gives a detection that has only a box: the box's outline as a polygon.</summary>
    private static RunLengthMask Outline(CocoImage image, Box b) =>
        RunLengthMask.FromPolygon(image.Height, image.Width,
            [b.X, b.Y, b.X, b.Y + b.Height, b.X + b.Width, b.Y + b.Height, b.X + b.Width, b.Y]);

    /// <summary>Accumulates precision and recall over all images and summarises them.</summary>
    public CocoReport Finish()
    {
        var p = _parameters;
        int T = p.IouThresholds.Count, R = p.RecallThresholds.Count, K = GroupCount, A = p.AreaRanges.Count, M = p.MaxDetections.Count;
        var precision = new double[T * R * K * A * M];
        var recall = new double[T * K * A * M];
        Array.Fill(precision, -1);
        Array.Fill(recall, -1);

        var tp = new List<double>();
        var pr = new List<double>();
        var rc = new List<double>();
        for (var k = 0; k < K; k++)
        {
            for (var a = 0; a < A; a++)
            {
                var npig = _groundTruthNotIgnored[k * A + a];
                if (npig == 0)
                {
                    continue;
                }

                // pycocotools concatenates images in ascending id order, each highest score first, then sorts stably
                // by score: ties go to the lower image id, then the higher rank in the image.
                var outcomes = _outcomes[k * A + a];
                outcomes.Sort(static (x, y) =>
                {
                    var c = y.Score.CompareTo(x.Score);
                    if (c != 0)
                    {
                        return c;
                    }

                    c = x.ImageId.CompareTo(y.ImageId);
                    return c != 0 ? c : x.Rank.CompareTo(y.Rank);
                });

                for (var m = 0; m < M; m++)
                {
                    var maxDet = p.MaxDetections[m];
                    for (var t = 0; t < T; t++)
                    {
                        var bit = 1UL << t;
                        pr.Clear();
                        rc.Clear();
                        double tpSum = 0, fpSum = 0;
                        foreach (var o in outcomes)
                        {
                            if (o.Rank >= maxDet)
                            {
                                continue;
                            }

                            if ((o.Ignored & bit) == 0)
                            {
                                if ((o.Matched & bit) != 0)
                                {
                                    tpSum++;
                                }
                                else
                                {
                                    fpSum++;
                                }
                            }

                            rc.Add(tpSum / npig);
                            pr.Add(tpSum / (fpSum + tpSum + Spacing));
                        }

                        var nd = rc.Count;
                        recall[((t * K + k) * A + a) * M + m] = nd > 0 ? rc[nd - 1] : 0;

                        // The precision envelope: precision at a recall is the best at that recall or beyond.
                        for (var i = nd - 1; i > 0; i--)
                        {
                            if (pr[i] > pr[i - 1])
                            {
                                pr[i - 1] = pr[i];
                            }
                        }

                        var index = 0;
                        for (var r = 0; r < R; r++)
                        {
                            while (index < nd && rc[index] < p.RecallThresholds[r])
                            {
                                index++;
                            }

                            precision[(((t * R + r) * K + k) * A + a) * M + m] = index < nd ? pr[index] : 0;
                        }
                    }
                }

                _outcomes[k * A + a] = [];
            }
        }

        var summary = new CocoSummary(p, precision, recall, K);
        var perCategory = new List<CocoCategoryResult>();
        if (p.UseCategories)
        {
            for (var k = 0; k < K; k++)
            {
                var c = _categories[k];
                perCategory.Add(new CocoCategoryResult(
                    c.Id, c.Name,
                    summary.Precision(null, 0, M - 1, k),
                    summary.Precision(.5, 0, M - 1, k),
                    summary.Recall(null, 0, M - 1, k),
                    _groundTruthCount[k], _detectionCount[k]));
            }
        }

        return new CocoReport(p, summary.Stats(), perCategory, _imageCount);
    }

    /// <summary>One kept detection of one image and group, in one area range.</summary>
    private readonly record struct DetectionOutcome(double Score, long ImageId, int Rank, ulong Matched, ulong Ignored);
}

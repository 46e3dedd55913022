// gan.cpp as a library, all of its public API in one include: #include <gan/gan.h>.
// Each header can also be included on its own (<gan/models/gan_model.h>, ...); docs/library.md
// describes the main types and calls. The library never prints or exits: it reports problems by
// throwing gan::Error, progress through callbacks, and takes every random stream as an explicit
// gan::Rng, so a seed reproduces a result.
#pragma once

#include <gan/version.h>

// Errors, random numbers, tensors.
#include <gan/core/check.h>
#include <gan/core/rng.h>
#include <gan/core/tensor.h>
#include <gan/core/thread_pool.h>

// Files: MNIST's IDX, PNG (gray and RGB) and image grids, .npy, safetensors.
#include <gan/io/idx.h>
#include <gan/io/npy.h>
#include <gan/io/png.h>
#include <gan/io/safetensors.h>
#include <gan/io/arena_io.h>

// Images of any size and colour: the image set, image folders (PNG, JPEG) and CIFAR-10's batches.
#include <gan/data/image_set.h>
#include <gan/data/image_folder.h>
#include <gan/data/cifar.h>

// The device seam: the table of operations every layer computes through, and the CPU backend.
#include <gan/backend/backend.h>
#include <gan/backend/cpu_backend.h>

// Layers, losses, models, optimisers.
#include <gan/nn/activation.h>
#include <gan/nn/batchnorm2d.h>
#include <gan/nn/conv2d.h>
#include <gan/nn/conv_transpose2d.h>
#include <gan/nn/linear.h>
#include <gan/nn/losses.h>
#include <gan/nn/sequential.h>
#include <gan/models/dcgan.h>
#include <gan/models/config.h>
#include <gan/models/gan_model.h>
#include <gan/optim/adam.h>
#include <gan/optim/ema.h>

// Training: the run policy, one GAN step, checkpoints, the whole loop over a run directory.
#include <gan/train/checkpoint.h>
#include <gan/train/gan_step.h>
#include <gan/train/options.h>
#include <gan/train/policy.h>
#include <gan/train/report.h>
#include <gan/train/run_dir.h>
#include <gan/train/trainer.h>
#include <gan/train/run_request.h>
#include <gan/train/train_data.h>
#include <gan/train/eval_data.h>

// Quality metrics (FID, precision/recall, classifier score) against MNIST.
#include <gan/metrics/evaluate.h>

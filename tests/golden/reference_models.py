"""The PyTorch models gan.cpp is checked against, and one training step of each GAN.

Imported by the golden-header generators (make_golden.py, make_golden_dcgan.py) and by the PyTorch
side of the speed comparisons (bench/pytorch/). Run with Debian's python3-torch (/usr/bin/python3).

classic: the simple MNIST GAN of the tutorial gan.cpp reproduces (see docs/classic_gan.md).
  G: z (B, Z) -> Linear(Z, H) -> LeakyReLU(alpha) -> Linear(H, IMG) -> tanh
  D: x (B, IMG) -> Linear(IMG, H) -> LeakyReLU(alpha) -> Linear(H, 1), a logit
dcgan: the MNIST DCGAN of PyTorch's C++ example, in nn.Sequential `net` so state_dict names are
  net.<index>.<param> as gan.cpp's checkpoints name them.

A step (both GANs): draw z once; G(z) is computed once and reused, because the D update does not
change G; D is updated on (real, G(z) detached) with BCE-with-logits against (1 - smooth, 0); then G
is updated on BCE(D(G(z)), 1) through the already-updated D, with D's parameters not requiring
gradients (no D weight gradients are needed; the values are the same either way).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

MNIST_CLASSES = 10


class ClassicGenerator(nn.Module):
    def __init__(self, z_dim=100, hidden=128, img=784, alpha=0.01):
        super().__init__()
        self.alpha = alpha
        self.l1 = nn.Linear(z_dim, hidden)
        self.l2 = nn.Linear(hidden, img)

    def forward(self, z):
        return torch.tanh(self.l2(F.leaky_relu(self.l1(z), self.alpha)))


class ClassicDiscriminator(nn.Module):
    def __init__(self, hidden=128, img=784, alpha=0.01):
        super().__init__()
        self.alpha = alpha
        self.l1 = nn.Linear(img, hidden)
        self.l2 = nn.Linear(hidden, 1)

    def forward(self, x):
        return self.l2(F.leaky_relu(self.l1(x), self.alpha))


def glorot_init(module):
    """TF's dense-layer default, which the tutorial uses: Glorot-uniform weights, zero biases."""
    for m in module.modules():
        if isinstance(m, nn.Linear):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)


def dcgan_generator(z_channels=100):
    """(B, z_channels, 1, 1) -> (B, 1, 28, 28) in [-1, 1]."""
    return nn.Sequential(
        nn.ConvTranspose2d(z_channels, 256, 4, 1, 0, bias=False), nn.BatchNorm2d(256), nn.ReLU(True),  # 4x4
        nn.ConvTranspose2d(256, 128, 3, 2, 1, bias=False), nn.BatchNorm2d(128), nn.ReLU(True),         # 7x7
        nn.ConvTranspose2d(128, 64, 4, 2, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU(True),           # 14x14
        nn.ConvTranspose2d(64, 1, 4, 2, 1, bias=False), nn.Tanh())                                      # 28x28


def dcgan_discriminator(in_channels=1):
    """(B, in_channels, 28, 28) -> (B, 1, 1, 1) logits."""
    return nn.Sequential(
        nn.Conv2d(in_channels, 64, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, True),                      # 14x14
        nn.Conv2d(64, 128, 4, 2, 1, bias=False), nn.BatchNorm2d(128), nn.LeakyReLU(0.2, True),         # 7x7
        nn.Conv2d(128, 256, 4, 2, 1, bias=False), nn.BatchNorm2d(256), nn.LeakyReLU(0.2, True),        # 3x3
        nn.Conv2d(256, 1, 3, 1, 0, bias=False))                                                         # 1x1


class DcganGenerator(nn.Module):
    """z (B, Z) plus, when conditional, the one-hot label (B, 10) concatenated to it."""

    def __init__(self, z_dim=100, conditional=False):
        super().__init__()
        self.conditional = conditional
        self.net = dcgan_generator(z_dim + (MNIST_CLASSES if conditional else 0))

    def forward(self, z, labels=None):
        if self.conditional:
            z = torch.cat([z, F.one_hot(labels, MNIST_CLASSES).to(z.dtype)], 1)
        return self.net(z.reshape(z.shape[0], -1, 1, 1))


class DcganDiscriminator(nn.Module):
    """x (B, 1, 28, 28) plus, when conditional, ten constant one-hot planes; returns logits (B,)."""

    def __init__(self, conditional=False):
        super().__init__()
        self.conditional = conditional
        self.net = dcgan_discriminator(1 + (MNIST_CLASSES if conditional else 0))

    def forward(self, x, labels=None):
        if self.conditional:
            b, _, h, w = x.shape
            planes = F.one_hot(labels, MNIST_CLASSES).to(x.dtype).reshape(b, MNIST_CLASSES, 1, 1)
            x = torch.cat([x, planes.expand(b, MNIST_CLASSES, h, w)], 1)
        return self.net(x).reshape(-1)


def dcgan_init(module):
    """The DCGAN paper's init: conv weights N(0, 0.02), batch-norm scale N(1, 0.02) and shift 0."""
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.normal_(m.weight, 0.0, 0.02)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.normal_(m.weight, 1.0, 0.02)
            nn.init.zeros_(m.bias)


class GanTrainer:
    """Two Adam optimisers and the step described in the module comment.

    draw_z(batch) -> z, and for conditional models draw_labels(batch) -> fake labels, come from the
    caller so tests can feed exact values."""

    def __init__(self, G, D, lr, betas=(0.9, 0.999), eps=1e-8, smooth=0.0):
        self.G, self.D, self.smooth = G, D, smooth
        self.opt_g = torch.optim.Adam(G.parameters(), lr=lr, betas=betas, eps=eps, foreach=False)
        self.opt_d = torch.optim.Adam(D.parameters(), lr=lr, betas=betas, eps=eps, foreach=False)

    def _d(self, x, labels):
        return self.D(x) if labels is None else self.D(x, labels)

    def step(self, real, z, real_labels=None, fake_labels=None):
        """One D update and one G update; returns (d_loss, g_loss) as Python floats."""
        fake = self.G(z) if fake_labels is None else self.G(z, fake_labels)
        self.opt_d.zero_grad(set_to_none=True)
        real_logits = self._d(real, real_labels)
        fake_logits = self._d(fake.detach(), fake_labels)
        d_loss = (F.binary_cross_entropy_with_logits(real_logits, torch.full_like(real_logits, 1.0 - self.smooth))
                  + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits)))
        d_loss.backward()
        self.opt_d.step()

        self.opt_g.zero_grad(set_to_none=True)
        for p in self.D.parameters():
            p.requires_grad_(False)
        logits = self._d(fake, fake_labels)
        g_loss = F.binary_cross_entropy_with_logits(logits, torch.ones_like(logits))
        g_loss.backward()
        self.opt_g.step()
        for p in self.D.parameters():
            p.requires_grad_(True)
        return float(d_loss), float(g_loss)


# ---- PyTorch's examples/dcgan/main.py (64x64; 32x32 is the same with one stage fewer) ----------------
# Its Generator and Discriminator hold an nn.Sequential `main`, so their state_dict names are
# main.<index>.<param> (BatchNorm also main.<index>.num_batches_tracked); the step is the example's loop.

class ExampleGenerator(nn.Module):
    """z (B, nz, 1, 1) -> (B, nc, S, S), S = 64 or 32."""

    def __init__(self, nz, ngf, nc, size=64):
        super().__init__()
        top = size // 8
        layers = [nn.ConvTranspose2d(nz, ngf * top, 4, 1, 0, bias=False), nn.BatchNorm2d(ngf * top), nn.ReLU(True)]
        mult = top
        while mult > 1:
            layers += [nn.ConvTranspose2d(ngf * mult, ngf * mult // 2, 4, 2, 1, bias=False),
                       nn.BatchNorm2d(ngf * mult // 2), nn.ReLU(True)]
            mult //= 2
        layers += [nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False), nn.Tanh()]
        self.main = nn.Sequential(*layers)

    def forward(self, z):
        return self.main(z)


class ExampleDiscriminator(nn.Module):
    """x (B, nc, S, S) -> (B,) probabilities (the example ends in a Sigmoid and trains with BCELoss)."""

    def __init__(self, ndf, nc, size=64):
        super().__init__()
        top = size // 8
        layers = [nn.Conv2d(nc, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, inplace=True)]
        mult = 1
        while mult < top:
            layers += [nn.Conv2d(ndf * mult, ndf * mult * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * mult * 2),
                       nn.LeakyReLU(0.2, inplace=True)]
            mult *= 2
        layers += [nn.Conv2d(ndf * top, 1, 4, 1, 0, bias=False), nn.Sigmoid()]
        self.main = nn.Sequential(*layers)

    def forward(self, x):
        return self.main(x).view(-1, 1).squeeze(1)


def example_weights_init(m, normal_=nn.init.normal_):
    """The example's weights_init, applied with module.apply; normal_ may be replaced by other draws of
    the same mean and standard deviation (the golden script's reproducible ones)."""
    classname = m.__class__.__name__
    if classname.find('Conv') != -1:
        normal_(m.weight, 0.0, 0.02)
    elif classname.find('BatchNorm') != -1:
        normal_(m.weight, 1.0, 0.02)
        nn.init.zeros_(m.bias)


def example_step(netG, netD, real, noise, lr=0.0002, beta1=0.5):
    """One iteration of the example's training loop (real label 1, fake label 0, BCELoss, Adam).
    Returns errD, errG, D(x), D(G(z)) before D's update, and D's gradients as its optimiser used
    them (the example's G update later adds G's loss gradients into netD's .grad, unused)."""
    criterion = nn.BCELoss()
    optimizerD = torch.optim.Adam(netD.parameters(), lr=lr, betas=(beta1, 0.999), foreach=False)
    optimizerG = torch.optim.Adam(netG.parameters(), lr=lr, betas=(beta1, 0.999), foreach=False)
    real_label, fake_label = 1, 0
    netD.zero_grad()
    batch_size = real.size(0)
    label = torch.full((batch_size,), real_label, dtype=real.dtype)
    output = netD(real)
    errD_real = criterion(output, label)
    errD_real.backward()
    D_x = output.mean().item()
    fake = netG(noise)
    label.fill_(fake_label)
    output = netD(fake.detach())
    errD_fake = criterion(output, label)
    errD_fake.backward()
    D_G_z1 = output.mean().item()
    errD = errD_real + errD_fake
    optimizerD.step()
    d_grads = {n: p.grad.clone() for n, p in netD.named_parameters()}
    netG.zero_grad()
    label.fill_(real_label)
    output = netD(fake)
    errG = criterion(output, label)
    errG.backward()
    optimizerG.step()
    return errD.item(), errG.item(), D_x, D_G_z1, fake.detach(), d_grads

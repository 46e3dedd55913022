# The two libraries gan links that ship no usable CMake package on Debian 12 (libopenblas-dev's
# OpenBLASConfig.cmake sets variables only, naming one variant's directory), found the same way by
# gan.cpp's own build (CMakeLists.txt) and by the installed package (ganConfig.cmake), so that the
# names the exported target links resolve in both:
#   gan::openblas  OpenBLAS through CMake's FindBLAS (BLA_VENDOR OpenBLAS), else pkg-config `openblas`;
#                  and the directory of cblas.h.
#   gan::dnnl      oneDNN (libdnnl-dev) and GNU OpenMP, which its Debian build runs on; only when
#                  GAN_DEPS_WANT_DNNL is true. Debian's dnnl-config.cmake is not used: it requires
#                  OpenCL's development files, which gan does not need.
#   PNG::PNG, JPEG::JPEG  libpng and libjpeg-turbo (libpng-dev, libjpeg62-turbo-dev) through CMake's
#                  FindPNG and FindJPEG: PNG reading and writing (src/io), the image folder reader
#                  (src/data).
#   GIF::GIF       giflib (libgif-dev) through CMake's FindGIF: the animated GIFs (src/io).
#   gan::lapacke   LAPACKE (liblapacke-dev), LAPACK's C interface; its LAPACK is OpenBLAS's on Debian
#                  (the liblapack.so.3 alternative). FID's eigen-decompositions (src/metrics).
# ZLIB, Threads and nlohmann_json have CMake packages of their own and are found by the caller.
#
# Input:  GAN_DEPS_WANT_DNNL (bool), GAN_DEPS_REQUIRE_DNNL (bool: a missing oneDNN is an error rather
#         than "build without it").
# Output: GAN_DEPS_MISSING: what could not be found (empty when everything was); GAN_DEPS_HAVE_DNNL;
#         GAN_DNNL_LIB and GAN_DNNL_INCLUDE (cache entries, also used by the oneDNN benchmark).
# Nothing here fails the configuration: the caller decides (an error in gan.cpp's build, "package
# not found" in ganConfig.cmake).
set(GAN_DEPS_MISSING "")

if(NOT TARGET gan::openblas)
  # FindBLAS with the OpenBLAS vendor finds Debian's /usr/lib/<arch>/libopenblas.so, the link the
  # alternatives system points at the chosen variant (pthread, openmp or serial); pkg-config's
  # openblas.pc names one variant's directory, which would pin it. pkg-config is the fallback.
  set(_gan_saved_bla_vendor "${BLA_VENDOR}")
  set(BLA_VENDOR OpenBLAS)
  find_package(BLAS QUIET)
  set(BLA_VENDOR "${_gan_saved_bla_vendor}")
  set(_gan_openblas_libs "")
  set(_gan_openblas_from_pc OFF)
  if(BLAS_FOUND AND TARGET BLAS::BLAS)
    set(_gan_openblas_libs BLAS::BLAS)
  else()
    find_package(PkgConfig QUIET)
    if(PKG_CONFIG_FOUND)
      pkg_check_modules(GAN_OPENBLAS_PC QUIET openblas)
      if(GAN_OPENBLAS_PC_FOUND)
        set(_gan_openblas_libs ${GAN_OPENBLAS_PC_LINK_LIBRARIES})
        set(_gan_openblas_from_pc ON)
      endif()
    endif()
  endif()
  # cblas.h: /usr/include/<arch> on Debian (the alternatives' link), include/openblas elsewhere.
  # (pkg-config's include dirs when it was the one that found the library).
  find_path(GAN_OPENBLAS_INCLUDE cblas.h PATH_SUFFIXES openblas)
  if(_gan_openblas_from_pc AND GAN_OPENBLAS_PC_INCLUDE_DIRS)
    set(_gan_openblas_incs ${GAN_OPENBLAS_PC_INCLUDE_DIRS})
  elseif(GAN_OPENBLAS_INCLUDE)
    set(_gan_openblas_incs ${GAN_OPENBLAS_INCLUDE})
  else()
    set(_gan_openblas_incs "")
  endif()
  if(_gan_openblas_libs)
    add_library(gan::openblas INTERFACE IMPORTED)
    set_target_properties(gan::openblas PROPERTIES INTERFACE_LINK_LIBRARIES "${_gan_openblas_libs}")
    if(_gan_openblas_incs)
      set_target_properties(gan::openblas PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${_gan_openblas_incs}")
    endif()
  else()
    list(APPEND GAN_DEPS_MISSING "OpenBLAS (Debian: libopenblas-dev)")
  endif()
endif()

# Looked for even when not wanted: the oneDNN benchmark (bench/onednn) uses it directly.
find_library(GAN_DNNL_LIB dnnl)
find_path(GAN_DNNL_INCLUDE oneapi/dnnl/dnnl.hpp)
set(GAN_DEPS_HAVE_DNNL OFF)
if(GAN_DEPS_WANT_DNNL)
  if(TARGET gan::dnnl)
    set(GAN_DEPS_HAVE_DNNL ON)
  else()
    if(GAN_DNNL_LIB AND GAN_DNNL_INCLUDE)
      add_library(gan::dnnl INTERFACE IMPORTED)
      set_target_properties(gan::dnnl PROPERTIES
        INTERFACE_LINK_LIBRARIES "${GAN_DNNL_LIB};gomp"
        INTERFACE_INCLUDE_DIRECTORIES "${GAN_DNNL_INCLUDE}")
      set(GAN_DEPS_HAVE_DNNL ON)
    elseif(GAN_DEPS_REQUIRE_DNNL)
      list(APPEND GAN_DEPS_MISSING "oneDNN (Debian: libdnnl-dev)")
    endif()
  endif()
endif()

# A library with a CMake find module: find_package(PACKAGE [ARGN...]) unless TARGET is already defined;
# WHAT joins GAN_DEPS_MISSING when the target is still missing.
macro(gan_find_module target package what)
  if(NOT TARGET ${target})
    find_package(${package} ${ARGN} QUIET)
  endif()
  if(NOT TARGET ${target})
    list(APPEND GAN_DEPS_MISSING "${what}")
  endif()
endmacro()
gan_find_module(PNG::PNG PNG "libpng (Debian: libpng-dev)")
gan_find_module(JPEG::JPEG JPEG "libjpeg (Debian: libjpeg62-turbo-dev)")
gan_find_module(GIF::GIF GIF "giflib (Debian: libgif-dev)" 5)
if(NOT TARGET gan::lapacke)
  find_library(GAN_LAPACKE_LIB lapacke)
  find_path(GAN_LAPACKE_INCLUDE lapacke.h PATH_SUFFIXES openblas)
  if(GAN_LAPACKE_LIB AND GAN_LAPACKE_INCLUDE)
    add_library(gan::lapacke INTERFACE IMPORTED)
    set_target_properties(gan::lapacke PROPERTIES
      INTERFACE_LINK_LIBRARIES "${GAN_LAPACKE_LIB}"
      INTERFACE_INCLUDE_DIRECTORIES "${GAN_LAPACKE_INCLUDE}")
  else()
    list(APPEND GAN_DEPS_MISSING "LAPACKE (Debian: liblapacke-dev)")
  endif()
endif()
